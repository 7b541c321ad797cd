/**
 * vCard 3.0 (RFC 2426) and 4.0 (RFC 6350), both ways: cards into contact bodies for imports,
 * contacts into cards for exports. Reading is lenient (2.1 quoted-printable, bare TYPE
 * parameters, `tel:` URIs); writing is strict (escaping, UTF-8, folding at 75 octets, CRLF).
 */
import type { Contact } from './contact.ts';
import { LIMITS } from './limits.ts';
import { countryCode, parseLooseDate } from './loose-values.ts';
import { splitFullName, type RowCandidate } from './import-row.ts';

export type VCardVersion = '3.0' | '4.0';

export interface VCardProperty {
  group?: string;
  name: string;
  /** Parameter names upper-cased; values as written (TYPE values split on commas). */
  params: Record<string, string[]>;
  value: string;
}

export interface VCard {
  properties: VCardProperty[];
}

// ---------------------------------------------------------------- reading

function unfold(text: string): string[] {
  const raw = text.replace(/\r\n|\r/g, '\n').split('\n');
  const lines: string[] = [];
  for (const line of raw) {
    const previous = lines.at(-1);
    if ((line.startsWith(' ') || line.startsWith('\t')) && previous !== undefined) {
      lines[lines.length - 1] = previous + line.slice(1);
    } else if (
      previous !== undefined &&
      /ENCODING=QUOTED-PRINTABLE/i.test(previous.split(':')[0] ?? '') &&
      previous.endsWith('=')
    ) {
      // vCard 2.1 quoted-printable soft line break.
      lines[lines.length - 1] = previous.slice(0, -1) + line;
    } else lines.push(line);
  }
  return lines.filter((line) => line.trim() !== '');
}

/** Splits on `separator` outside double quotes. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function parseLine(line: string): VCardProperty | undefined {
  let quoted = false;
  let colon = -1;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ':' && !quoted) {
      colon = i;
      break;
    }
  }
  if (colon < 0) return undefined;
  const [nameWithGroup = '', ...rawParams] = splitOutsideQuotes(line.slice(0, colon), ';');
  const dot = nameWithGroup.lastIndexOf('.');
  const params: Record<string, string[]> = {};
  for (const rawParam of rawParams) {
    const eq = rawParam.indexOf('=');
    // vCard 2.1 writes bare types: `TEL;WORK;VOICE:`.
    const name = (eq < 0 ? 'TYPE' : rawParam.slice(0, eq)).trim().toUpperCase();
    const values = eq < 0 ? [rawParam] : splitOutsideQuotes(rawParam.slice(eq + 1), ',');
    (params[name] ??= []).push(...values.map((v) => v.replace(/^"|"$/g, '').trim()).filter(Boolean));
  }
  let value = line.slice(colon + 1);
  if (params.ENCODING?.some((e) => /^quoted-printable$/i.test(e))) {
    value = decodeQuotedPrintable(value, params.CHARSET?.[0]);
  }
  return {
    ...(dot > 0 ? { group: nameWithGroup.slice(0, dot) } : {}),
    name: nameWithGroup.slice(dot + 1).toUpperCase(),
    params,
    value,
  };
}

function decodeQuotedPrintable(value: string, charset = 'utf-8'): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const hex = value[i] === '=' ? /^[0-9A-Fa-f]{2}/.exec(value.slice(i + 1, i + 3)) : null;
    if (hex) {
      bytes.push(parseInt(hex[0], 16));
      i += 2;
    } else bytes.push(...Buffer.from(value[i]!, 'utf8'));
  }
  try {
    return new TextDecoder(charset).decode(new Uint8Array(bytes));
  } catch {
    return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
  }
}

/** Every card of a .vcf text, in order; text outside BEGIN/END is ignored. */
export function parseVCards(text: string): VCard[] {
  const cards: VCard[] = [];
  let current: VCardProperty[] | undefined;
  for (const line of unfold(text)) {
    const property = parseLine(line);
    if (!property) continue;
    if (property.name === 'BEGIN' && /^vcard$/i.test(property.value.trim())) current = [];
    else if (property.name === 'END' && /^vcard$/i.test(property.value.trim())) {
      if (current) cards.push({ properties: current });
      current = undefined;
    } else current?.push(property);
  }
  return cards;
}

/** Text value escapes: `\n`, `\,`, `\;`, `\\`. */
function unescapeText(value: string): string {
  return value.replace(/\\([nN,;:\\])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Structured value (N, ADR, ORG): components split on unescaped `;`. */
function components(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\' && i + 1 < value.length) {
      current += value[i]! + value[i + 1]!;
      i++;
    } else if (value[i] === ';') {
      parts.push(unescapeText(current));
      current = '';
    } else current += value[i];
  }
  parts.push(unescapeText(current));
  return parts;
}

/** List value (CATEGORIES, NICKNAME): items split on unescaped `,`. */
function listItems(value: string): string[] {
  return value
    .split(/(?<!\\),/)
    .map((item) => unescapeText(item).trim())
    .filter(Boolean);
}

const TYPE_TO_LABEL: Record<string, string> = { cell: 'mobile', work: 'work', home: 'home' };
const IGNORED_TYPES = new Set(['pref', 'internet', 'voice', 'x400', 'msg']);

function labelAndPreference(property: VCardProperty): { label?: string; primary: boolean } {
  const types = (property.params.TYPE ?? []).map((t) => t.toLowerCase());
  const primary = types.includes('pref') || property.params.PREF?.[0] === '1';
  const label = types.find((t) => !IGNORED_TYPES.has(t));
  return { label: label ? (TYPE_TO_LABEL[label] ?? label.replace(/^x-/, '')) : undefined, primary };
}

/** One card as a contact body, in the same candidate shape a CSV row produces. */
export function candidateFromVCard(card: VCard): RowCandidate {
  const input: Record<string, unknown> = {};
  const sources: RowCandidate['sources'] = new Map();
  const problems: RowCandidate['problems'] = [];
  const emails: Record<string, unknown>[] = [];
  const phones: Record<string, unknown>[] = [];
  const tags: string[] = [];
  const set = (path: string, value: unknown, property: VCardProperty) => {
    if (value === undefined || value === '') return;
    const [head, sub] = path.split('.') as [string, string | undefined];
    if (sub === undefined) {
      if (input[head] !== undefined) return;
      input[head] = value;
    } else {
      const group = (input[head] ??= {}) as Record<string, unknown>;
      if (group[sub] !== undefined) return;
      group[sub] = value;
    }
    sources.set(path, { column: property.name, value: property.value });
  };

  for (const property of card.properties) {
    const text = () => unescapeText(property.value).trim();
    switch (property.name) {
      case 'N': {
        const [family, given, additional, prefix, suffix] = components(property.value).map((c) => c.trim());
        set('lastName', family, property);
        set('firstName', given, property);
        set('middleName', additional, property);
        set('prefix', prefix, property);
        set('suffix', suffix, property);
        break;
      }
      case 'FN':
        if (!card.properties.some((p) => p.name === 'N' && components(p.value).some((c) => c.trim() !== ''))) {
          const { firstName, lastName } = splitFullName(text());
          set('firstName', firstName, property);
          set('lastName', lastName, property);
        }
        break;
      case 'NICKNAME':
        set('nickname', listItems(property.value)[0], property);
        break;
      case 'EMAIL': {
        const { label, primary } = labelAndPreference(property);
        sources.set(`emails[${emails.length}]`, { column: 'EMAIL', value: property.value });
        emails.push({ address: text().replace(/^mailto:/i, ''), ...(label ? { label } : {}), ...(primary ? { primary } : {}) });
        break;
      }
      case 'TEL': {
        const { label, primary } = labelAndPreference(property);
        sources.set(`phones[${phones.length}]`, { column: 'TEL', value: property.value });
        phones.push({ number: text().replace(/^tel:/i, ''), ...(label ? { label } : {}), ...(primary ? { primary } : {}) });
        break;
      }
      case 'ORG':
        set('department', components(property.value)[1]?.trim(), property);
        break;
      case 'TITLE':
        set('jobTitle', text(), property);
        break;
      case 'BDAY': {
        const date = parseLooseDate(text());
        if ('date' in date) set('birthday', date.date, property);
        else if ('yearless' in date)
          problems.push({
            column: 'BDAY',
            value: property.value,
            message: 'has no year; the birthday was left out',
            severity: 'warning',
          });
        else if ('invalid' in date)
          problems.push({ column: 'BDAY', value: property.value, message: 'is not a date Kith can read', severity: 'error' });
        break;
      }
      case 'ADR': {
        if (input.address) break;
        const [, extended, street, locality, region, code, country] = components(property.value).map((c) => c.trim());
        set('address.street', street, property);
        set('address.street2', extended, property);
        set('address.city', locality, property);
        set('address.region', region, property);
        set('address.postalCode', code, property);
        if (country) {
          const iso = countryCode(country);
          if (iso) set('address.country', iso, property);
          else
            problems.push({
              column: 'ADR',
              value: property.value,
              message: `names a country Kith does not know (${country})`,
              severity: 'error',
            });
        }
        break;
      }
      case 'CATEGORIES':
        tags.push(...listItems(property.value));
        break;
      case 'TZ':
        if (property.params.VALUE?.[0]?.toLowerCase() === 'text' || /^[A-Za-z_]+\/[A-Za-z_/+-]+$/.test(text()))
          set('timeZone', text(), property);
        break;
      case 'X-SOCIALPROFILE':
      case 'URL': {
        const url = text();
        const type = property.params.TYPE?.[0]?.toLowerCase();
        const channel =
          type && /^[a-z][a-z0-9_]{0,31}$/.test(type) && property.name === 'X-SOCIALPROFILE'
            ? type
            : /linkedin\.com/i.test(url)
              ? 'linkedin'
              : undefined;
        if (channel && /^https?:\/\//i.test(url)) set(`socialProfiles.${channel}`, url, property);
        break;
      }
      case 'X-KITH-EXTERNAL-ID': {
        const system = property.params['X-SYSTEM']?.[0];
        if (system) set(`externalIds.${system}`, text(), property);
        break;
      }
      case 'X-KITH-CUSTOM-FIELD': {
        const key = property.params['X-KEY']?.[0];
        if (key) set(`customFields.${key}`, parseJsonOr(text()), property);
        break;
      }
      case 'X-KITH-CONSENT': {
        const channel = property.params['X-CHANNEL']?.[0];
        if (channel) set(`consent.${channel}`, parseJsonOr(text()), property);
        break;
      }
      case 'X-KITH-LIFECYCLE-STAGE':
        set('lifecycleStage', text(), property);
        break;
      case 'X-KITH-LEAD-SOURCE':
        set('leadSource', text(), property);
        break;
      case 'X-KITH-OWNER-ID':
        set('ownerId', text(), property);
        break;
    }
  }
  if (emails.length > 0) input.emails = emails;
  if (phones.length > 0) input.phones = phones;
  if (tags.length > 0) input.tags = tags;
  return { input, sources, problems };
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------- writing

function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/,/g, '\\,')
    .replace(/;/g, '\\;');
}

function paramValue(value: string): string {
  const clean = value.replace(/["\r\n]/g, '');
  return /^[A-Za-z0-9-]+$/.test(clean) ? clean : `"${clean}"`;
}

/**
 * Folds a content line at 75 octets (RFC 6350 §3.2): continuation lines start with one space,
 * and a multi-octet UTF-8 character is never split.
 */
export function foldLine(line: string, limit: number = LIMITS.vcardLineOctets): string {
  if (Buffer.byteLength(line, 'utf8') <= limit) return line;
  const out: string[] = [];
  let current = '';
  let octets = 0;
  let budget = limit;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    if (octets + size > budget) {
      out.push(current);
      current = '';
      octets = 0;
      budget = limit - 1;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

const LABEL_TO_TYPE: Record<string, string> = { mobile: 'cell' };

function typeParam(label: string | undefined, primary: boolean, version: VCardVersion, extra: string[] = []): string {
  const types = [...extra, ...(label ? [LABEL_TO_TYPE[label] ?? label] : [])];
  if (primary && version === '3.0') types.push('pref');
  const parts = types.length > 0 ? [`TYPE=${types.map(paramValue).join(',')}`] : [];
  if (primary && version === '4.0') parts.push('PREF=1');
  return parts.map((p) => `;${p}`).join('');
}

function regionName(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** One contact as a vCard; `companyName` fills ORG when the contact belongs to a company. */
export function vcardOf(contact: Contact, version: VCardVersion, companyName?: string): string {
  const lines: string[] = [
    'BEGIN:VCARD',
    `VERSION:${version}`,
    'PRODID:-//Kith//Kith CRM//EN',
    `UID:urn:kith:contact:${contact.id}`,
  ];
  const name = [contact.firstName, contact.middleName, contact.lastName].filter(Boolean).join(' ');
  const fn = name || contact.nickname || contact.emails[0]?.address || contact.phones[0]?.number || 'Unnamed';
  lines.push(`FN:${escapeText(fn)}`);
  const n = [contact.lastName, contact.firstName, contact.middleName, contact.prefix, contact.suffix].map((c) =>
    escapeText(c ?? ''),
  );
  lines.push(`N:${n.join(';')}`);
  if (contact.nickname) lines.push(`NICKNAME:${escapeText(contact.nickname)}`);
  for (const email of contact.emails) {
    const extra = version === '3.0' ? ['internet'] : [];
    lines.push(`EMAIL${typeParam(email.label, email.primary, version, extra)}:${escapeText(email.address)}`);
  }
  for (const phone of contact.phones) {
    const value = version === '4.0' ? `;VALUE=uri:tel:${phone.number}` : `:${phone.number}`;
    lines.push(`TEL${typeParam(phone.label, phone.primary, version)}${value}`);
  }
  if (companyName || contact.department)
    lines.push(`ORG:${escapeText(companyName ?? '')}${contact.department ? `;${escapeText(contact.department)}` : ''}`);
  if (contact.jobTitle) lines.push(`TITLE:${escapeText(contact.jobTitle)}`);
  if (contact.birthday) lines.push(`BDAY:${version === '4.0' ? contact.birthday.replaceAll('-', '') : contact.birthday}`);
  if (contact.address) {
    const a = contact.address;
    const adr = [
      '',
      a.street2 ?? '',
      a.street ?? '',
      a.city ?? '',
      a.region ?? '',
      a.postalCode ?? '',
      a.country ? regionName(a.country) : '',
    ];
    lines.push(`ADR:${adr.map(escapeText).join(';')}`);
  }
  if (contact.tags.length > 0) lines.push(`CATEGORIES:${contact.tags.map(escapeText).join(',')}`);
  if (contact.timeZone) lines.push(`TZ;VALUE=text:${escapeText(contact.timeZone)}`);
  for (const [channel, url] of Object.entries(contact.socialProfiles ?? {})) {
    lines.push(`X-SOCIALPROFILE;TYPE=${paramValue(channel)}:${url}`);
  }
  for (const [system, id] of Object.entries(contact.externalIds ?? {})) {
    lines.push(`X-KITH-EXTERNAL-ID;X-SYSTEM=${paramValue(system)}:${escapeText(id)}`);
  }
  for (const [key, value] of Object.entries(contact.customFields ?? {})) {
    lines.push(`X-KITH-CUSTOM-FIELD;X-KEY=${paramValue(key)}:${escapeText(JSON.stringify(value))}`);
  }
  for (const [channel, consent] of Object.entries(contact.consent ?? {})) {
    lines.push(`X-KITH-CONSENT;X-CHANNEL=${paramValue(channel)}:${escapeText(JSON.stringify(consent))}`);
  }
  if (contact.lifecycleStage) lines.push(`X-KITH-LIFECYCLE-STAGE:${contact.lifecycleStage}`);
  if (contact.leadSource) lines.push(`X-KITH-LEAD-SOURCE:${escapeText(contact.leadSource)}`);
  if (contact.ownerId) lines.push(`X-KITH-OWNER-ID:${escapeText(contact.ownerId)}`);
  const rev = contact.updatedAt.replace(/\.\d{3}Z$/, 'Z');
  lines.push(`REV:${version === '4.0' ? rev.replace(/[-:]/g, '') : rev}`);
  lines.push('END:VCARD');
  return lines.map((line) => foldLine(line)).join('\r\n') + '\r\n';
}
