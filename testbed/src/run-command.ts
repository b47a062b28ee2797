/** A command run to completion, its output captured: the one way the testbed and the suite run kubectl, helm and the plugin. */
import { spawn } from "node:child_process";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bin args` and resolves with its exit code and output, whatever the code. */
export function runCommand(bin: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    // No input: stdin is closed from the start, so there is no pipe for a quick exit to break (EPIPE).
    const child = spawn(bin, args, {
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    if (options.input !== undefined) {
      // A command may exit without reading all of its input; its exit code says what happened.
      child.stdin!.on("error", () => undefined);
      child.stdin!.end(options.input);
    }
  });
}
