/**
 * ARM transport: HTTP and Azure Resource Manager conventions (clouds, credentials, retries, long-running
 * operations, errors), and nothing about Pulumi or identities. See docs/transport.md.
 */
export * from "./clouds";
export * from "./credential";
export * from "./errors";
export * from "./retry";
export * from "./lro";
export * from "./pacing";
export * from "./pacer";
export * from "./proxy";
export * from "./request-target";
export * from "./token-cycler";
export * from "./client";
export * from "./events";
