import { z } from 'zod';

/**
 * Token routes are wildcards ('/u/*'): tokens are longer than the router's 100-character limit for
 * named parameters. Any string is accepted: a malformed token gets the same 404 as a forged one.
 */
export const tokenParams = z.strictObject({ '*': z.string().max(1000) });
