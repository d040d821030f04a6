#!/usr/bin/env node
/**
 * `pulumi-resource-vmss-identity`: the executable the Pulumi engine runs for the `vmss-identity` package. It is
 * found as Pulumi finds any resource plugin not in its cache: on PATH (`npm install -g pulumi-vmss-identity` puts it
 * there; README "The provider plugin").
 *
 * The engine passes flags (`--logtostderr`, `-v=N`, `--tracing <addr>`) and then its own gRPC address; the plugin
 * prints the port it serves on as the first line of stdout, then keeps serving until the engine kills it.
 */
import { serve } from "./server";

const args = process.argv.slice(2);
const positional = args.filter((a, i) => !a.startsWith("-") && args[i - 1] !== "--tracing");
serve(positional.pop()).then(
  ({ port }) => process.stdout.write(`${port}\n`),
  (e: Error) => {
    process.stderr.write(`pulumi-resource-vmss-identity: cannot listen: ${e.message}\n`);
    process.exit(1);
  },
);
