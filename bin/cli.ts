#!/usr/bin/env node
// The `happ-webhooks` CLI entry (package.json "bin"). Kept tiny: everything loads on demand.
import { processIo } from './cli/io';
import { run } from './cli/program';

// The SDK's notice about its own future Node support is noise in a CLI's output; users can re-enable it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

run(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
