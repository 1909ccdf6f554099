/**
 * Templates of NetFlow v9 (RFC 3954 section 5.2, 6.1) and IPFIX (RFC 7011 section 3.4): what a data
 * record holds is said once by its exporter, per exporter and observation domain (v9: source ID). The
 * cache is bounded: at most MAX_EXPORTERS exporters (the one heard from longest ago goes first) and
 * MAX_TEMPLATES per exporter, so a hostile or broken exporter cannot grow it without end.
 */

/** IPFIX: a field length of 65535 means the length is given in each record (RFC 7011 section 7). */
export const VARIABLE_LENGTH = 65535;
/** The Private Enterprise Number of the RFC 5103 reverse information elements (biflows). */
export const PEN_REVERSE = 29305;

export const MAX_EXPORTERS = 1024;
export const MAX_TEMPLATES = 1024;
/** More fields than this in one template is no real exporter's (the largest real ones have ~100). */
export const MAX_TEMPLATE_FIELDS = 512;

export interface Template {
  readonly id: number;
  /** Per field: information element id, length (VARIABLE_LENGTH or bytes), enterprise number (0: IANA). */
  readonly fields: Int32Array;
  readonly count: number;
  /** Bytes of one record, or -1 when a field has a variable length. */
  readonly fixedLength: number;
  /** An options template: its data records describe the exporter, not traffic. */
  readonly options: boolean;
  /** Fields this decoder does not read because their enterprise number is not IANA's or RFC 5103's. */
  readonly enterpriseFields: number;
  /** Enterprise numbers of those fields (for the accounting note). */
  readonly enterprises: readonly number[];
}

export function makeTemplate(id: number, fields: Int32Array, count: number, options: boolean): Template {
  let fixed = 0;
  let enterpriseFields = 0;
  const enterprises: number[] = [];
  for (let k = 0; k < count; k++) {
    const len = fields[k * 3 + 1]!;
    if (fixed >= 0) fixed = len === VARIABLE_LENGTH ? -1 : fixed + len;
    const pen = fields[k * 3 + 2]!;
    if (pen !== 0 && pen !== PEN_REVERSE) {
      enterpriseFields++;
      if (!enterprises.includes(pen)) enterprises.push(pen);
    }
  }
  return { id, fields, count, fixedLength: fixed, options, enterpriseFields, enterprises };
}

/** What one exporter (address, version, observation domain) has told us. */
export interface Exporter {
  readonly templates: Map<number, Template>;
  /**
   * IPFIX systemInitTimeMilliseconds (IE 160) from an options record: the base of the exporter's
   * flowStart/EndSysUpTime fields (IE 22, 21). NaN until sent.
   */
  systemInitMs: number;
}

export class TemplateCache {
  private readonly exporters = new Map<string, Exporter>();
  /** Exporters forgotten to stay within MAX_EXPORTERS. */
  evicted = 0;

  constructor(private readonly maxExporters = MAX_EXPORTERS, readonly maxTemplates = MAX_TEMPLATES) {}

  /** The exporter's state, made on first use; using it makes it the most recent. */
  exporter(key: string): Exporter {
    let e = this.exporters.get(key);
    if (e !== undefined) {
      // Map keeps insertion order: moving the key to the end makes the first key the least recent.
      this.exporters.delete(key);
      this.exporters.set(key, e);
      return e;
    }
    if (this.exporters.size >= this.maxExporters) {
      const oldest = this.exporters.keys().next().value;
      if (oldest !== undefined) this.exporters.delete(oldest);
      this.evicted++;
    }
    e = { templates: new Map(), systemInitMs: NaN };
    this.exporters.set(key, e);
    return e;
  }

  get size(): number {
    return this.exporters.size;
  }
}
