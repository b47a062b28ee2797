/** Test doubles of the member-workload shell, for controllers' unit tests; never imported by shipped code. */
export { FakeMemberWriter } from "./fake-member-writer.ts";
