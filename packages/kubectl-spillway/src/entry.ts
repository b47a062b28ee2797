/** The plugin's process entry (bin/kubectl-spillway, and the single-file build's). */
import { main } from "./main.ts";

void main();
