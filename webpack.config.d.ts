// Types of webpack.config.js for the tests that build the add-in through webpack's Node API.
import type { Configuration } from 'webpack';

export const DEV_URL: string;
export function publicUrl(value: string | undefined): string | null;
export function rewriteManifest(xml: string, base: string): string;
declare function config(
  env?: Record<string, unknown>,
  argv?: { mode?: 'production' | 'development' },
): Promise<
  Configuration & { output: NonNullable<Configuration['output']>; plugins: NonNullable<Configuration['plugins']> }
>;
export default config;
