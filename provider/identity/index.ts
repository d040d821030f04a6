/**
 * The pure identity algebra of pulumi-vmss-identity: identity types, reading identity state, planning PATCH bodies,
 * declarations, `check`/`diff` logic and the planned change a preview shows. Nothing here does I/O. The Azure
 * grammars it builds on (ARM IDs, api-versions, clouds, endpoints) live in provider/grammar and are re-exported here.
 */
export * from "../grammar";
export * from "./declaration";
export * from "./diff";
export * from "./plan";
export * from "./state";
export * from "./types";
export * from "./validate";
export * from "./plannedChange";
