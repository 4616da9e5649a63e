/** The value shapes the settings share: environment variables are strings, coerced and checked here. */
import { z } from 'zod';

export const positiveInt = z.coerce.number().int().positive();

/** true/false, 1/0, yes/no. */
export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** A comma list; blanks around items and empty items are dropped. */
export const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);
