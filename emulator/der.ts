// A minimal ASN.1 DER encoder: only the types an X.509 v3 certificate needs (ITU-T X.690 §8, §10).
// Written here so the emulator can mint its own TLS certificates with node:crypto and no dependency.

/** Encodes one tag-length-value triple; `tag` is the full identifier octet. */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** SEQUENCE of the already-encoded items, in order. */
export function sequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

/** SET OF the already-encoded items; DER orders the encodings (X.690 §11.6). */
export function setOf(...items: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat([...items].sort(Buffer.compare)));
}

/** A non-negative INTEGER from big-endian magnitude bytes (or a small number). */
export function integer(value: Buffer | number): Buffer {
  let bytes = typeof value === "number" ? numberBytes(value) : value;
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  // A leading 1 bit would read as negative: prefix a zero octet.
  if (bytes.length === 0 || (bytes[0] & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

function numberBytes(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`DER integer must be a safe non-negative integer, got ${value}`);
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from(bytes.length === 0 ? [0] : bytes);
}

/** OBJECT IDENTIFIER from dotted notation, e.g. "2.5.4.3". */
export function objectId(dotted: string): Buffer {
  const arcs = dotted.split(".").map((arc) => Number(arc));
  if (arcs.length < 2 || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) {
    throw new RangeError(`invalid object identifier '${dotted}'`);
  }
  const out: number[] = [];
  const pushArc = (arc: number): void => {
    const chunk: number[] = [arc % 128];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(n % 128 | 0x80);
    out.push(...chunk);
  };
  pushArc(arcs[0] * 40 + arcs[1]);
  arcs.slice(2).forEach(pushArc);
  return tlv(0x06, Buffer.from(out));
}

/** BOOLEAN (DER: TRUE is 0xFF). */
export function boolean(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

/** BIT STRING whose content is whole octets (signatures, public keys). */
export function bitString(bytes: Buffer): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
}

/**
 * Named-bit BIT STRING (e.g. keyUsage) from bit positions, bit 0 being the most significant bit of
 * the first octet; DER drops trailing zero bits (X.690 §11.2.2).
 */
export function namedBits(positions: number[]): Buffer {
  const highest = Math.max(...positions);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of positions) bytes[Math.floor(bit / 8)] |= 0x80 >> bit % 8;
  const unused = 7 - (highest % 8);
  return tlv(0x03, Buffer.concat([Buffer.from([unused]), bytes]));
}

/** OCTET STRING. */
export function octetString(bytes: Buffer): Buffer {
  return tlv(0x04, bytes);
}

/** UTF8String. */
export function utf8String(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, "utf8"));
}

/** UTCTime before 2050, GeneralizedTime from 2050 on, as RFC 5280 §4.1.2.5 requires. */
export function time(date: Date): Buffer {
  const pad = (n: number): string => String(n).padStart(2, "0");
  const rest =
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    "Z";
  const year = date.getUTCFullYear();
  return year < 2050
    ? tlv(0x17, Buffer.from(pad(year % 100) + rest, "ascii"))
    : tlv(0x18, Buffer.from(String(year) + rest, "ascii"));
}

/** Context-specific constructed tag [n] wrapping an encoded value (EXPLICIT tagging). */
export function explicit(tagNumber: number, encoded: Buffer): Buffer {
  return tlv(0xa0 | tagNumber, encoded);
}

/** Context-specific primitive tag [n] over raw content octets (IMPLICIT tagging of a primitive type). */
export function implicitPrimitive(tagNumber: number, content: Buffer): Buffer {
  return tlv(0x80 | tagNumber, content);
}

/** Context-specific constructed tag [n] over the concatenated encodings (IMPLICIT tagging of a SEQUENCE). */
export function implicitConstructed(tagNumber: number, ...items: Buffer[]): Buffer {
  return tlv(0xa0 | tagNumber, Buffer.concat(items));
}
