/**
 * The pure identity algebra of pulumi-vmss-identity (../shared/DESIGN.md "The identity algebra"): ARM IDs,
 * identity types, reading identity state, planning PATCH bodies, declarations, and `check`/`diff` logic.
 * Nothing here does I/O.
 */
export * from "./apiVersion";
export * from "./armId";
export * from "./declaration";
export * from "./describeValue";
export * from "./diff";
export * from "./endpoint";
export * from "./patchModel";
export * from "./plan";
export * from "./state";
export * from "./types";
export * from "./validate";
