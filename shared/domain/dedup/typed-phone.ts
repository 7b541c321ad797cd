import { normalizePhone } from '../normalize.ts';
import { storedPhone, type PhoneReader } from './identity.ts';

/**
 * A phone as people type it (`415.555.0100`, `+44 20 7123 4567`), read with libphonenumber's
 * metadata in the record's region: for import rows and reference data. The dedup consumer reads
 * only stored contacts and uses `storedPhone`, which leaves the metadata out of its bundle.
 */
export const typedPhone: PhoneReader = (raw, defaultRegion) =>
  storedPhone(raw, defaultRegion) ?? normalizePhone(raw, defaultRegion)?.split(';')[0];
