/** How an OAuth flow ends when it does not succeed: a sentence for the person at the browser, never a stack trace. */
import type { Provider } from '../providers/types.ts';

export const PROVIDER_NAMES: Record<Provider, string> = {
  google: 'Google Workspace',
  microsoft: 'Microsoft 365',
};

export class FlowError extends Error {
  override name = 'FlowError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
