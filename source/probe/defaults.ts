// Defaults shared by the probe and what explains its results.

/** Without --max-time curl can wait for minutes; a workshop step should not. */
export const DEFAULT_MAX_TIME_MS = 30_000;

/** Body bytes kept in a ProbeResult unless the caller asks for more. */
export const DEFAULT_MAX_BODY_BYTES = 4096;
