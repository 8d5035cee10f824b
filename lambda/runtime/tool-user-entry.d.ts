/** The user's tool module, aliased by the HappTool construct's bundling (see tool-entry.ts). */
declare module 'cdk-happ-webhooks-tool-user-entry' {
  export const handler: unknown;
  const defaultExport: unknown;
  export default defaultExport;
}
