/**
 * The pure identity algebra of pulumi-vmss-identity: identity types, reading identity state, planning PATCH bodies,
 * declarations, `check` logic, the state a resource records, and the one derivation of what changes (plannedChange.ts),
 * which `diff`, the plugin's detailed diff and the preview's plan project. Nothing here does I/O. The Azure
 * grammars it builds on (ARM IDs, api-versions, clouds, endpoints) live in provider/grammar and are re-exported here.
 */
export * from "../grammar";
export * from "./declaration";
export * from "./identityIds";
export * from "./plan";
export * from "./state";
export * from "./types";
export * from "./validate";
export * from "./plannedChange";
export * from "./record";
