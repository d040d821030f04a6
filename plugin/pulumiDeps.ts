/**
 * The gRPC and protobuf libraries, as shipped with `@pulumi/pulumi` (its own dependencies, not this package's): the
 * generated bindings in `@pulumi/pulumi/proto` load them from there, and the server must use the same instances.
 * Resolving them from `@pulumi/pulumi`'s folder keeps that true however npm lays out `node_modules`.
 */
import * as path from "node:path";

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = (request: string): unknown => require(require.resolve(request, { paths: [pulumiDir] }));

/** `@grpc/grpc-js` of `@pulumi/pulumi`. */
export const grpc = fromPulumi("@grpc/grpc-js") as typeof import("@grpc/grpc-js");

/** `google.protobuf.Struct` (google-protobuf ships no type declarations; this is the one call used). */
export const structproto = fromPulumi("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(value: Record<string, unknown>): unknown };
};
/** `google.protobuf.Empty`. */
export const emptyproto = fromPulumi("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => unknown };
/** `google.protobuf.Any`. */
export const anyproto = fromPulumi("google-protobuf/google/protobuf/any_pb") as {
  Any: new () => { pack(bytes: Uint8Array, name: string): void };
};
