/**
 * The Azure grammars, one owner each: ARM resource IDs (armId.ts), api-versions and the versions each resource type
 * serves (apiVersion.ts), clouds and their names (cloud.ts), endpoints and loopback (endpoint.ts), the connection
 * settings (environment, endpoint, credentials) from inputs, configuration and environment variables (settings.ts), and how messages
 * show a value (describeValue.ts). `check`, the transport, `ArmResource` and `ScaleSet` all use these; nothing here
 * does I/O or knows Pulumi. The emulator keeps its own copies on purpose, so that it can disagree like ARM would.
 */
export * from "./apiVersion";
export * from "./armId";
export * from "./cloud";
export * from "./describeValue";
export * from "./endpoint";
export * from "./settings";
