// File names the CLI and the generated files agree on.
export const CONFIG_FILE = 'matrix-gitops.yaml';
export const SCHEMA_FILE = 'matrix-gitops.schema.json';
