/** A configuration mistake of the example server: the message says which variable to fix and how. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
