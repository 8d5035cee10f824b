/**
 * The entry the HappTool construct bundles (NodejsFunction): it imports the user's module through
 * the esbuild alias `cdk-happ-webhooks-tool-user-entry` and wraps its export, so the deployed
 * handler always verifies the signature before any user code runs, whatever the module exports.
 * The construct's `parameters` schema is bundled in as `__HAPP_TOOL_PARAMETERS__` (JSON text).
 */
import * as userModule from 'cdk-happ-webhooks-tool-user-entry';
import { constructSettings, toolEntryHandler } from './tool';

declare const __HAPP_TOOL_PARAMETERS__: string | undefined;

/** Marks bundles built around a user's tool (asserted by the bundling test). */
export const HAPP_TOOL_WRAPPER = 'cdk-happ-webhooks:tool-wrapper';

const parameters =
  typeof __HAPP_TOOL_PARAMETERS__ === 'string' && __HAPP_TOOL_PARAMETERS__ !== ''
    ? (JSON.parse(__HAPP_TOOL_PARAMETERS__) as Record<string, unknown>)
    : undefined;

// What the construct set (name, secret, timeout) wins over the module's own options: the alarms watch
// that name, the role may only write that name's records, and the route's timeout is that one.
export const handler = toolEntryHandler(
  userModule as Record<string, unknown>,
  { schema: parameters },
  constructSettings(process.env),
);
