/** The 11-byte signature a `COPY … TO STDOUT (FORMAT binary)` opens with. */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * The rows of PostgreSQL's binary COPY format (the output of `COPY … TO STDOUT (FORMAT binary)`, whole), each a list
 * of its fields' raw bytes, null for SQL NULL. Nothing is decoded or copied: a field is a view of `data`. For a
 * `text` column these are its UTF-8 bytes, which is why the outbox relay reads payloads this way (node-postgres
 * turns every field of a result into a string, and kafkajs turns it back into bytes).
 */
export function binaryCopyRows(data: Buffer): (Buffer | null)[][] {
  if (data.length < 19 || !data.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
    throw new Error('not the output of a binary COPY');
  }
  // Flags (4 bytes), then the header extension's length and the extension itself.
  let at = SIGNATURE.length + 4;
  at += 4 + data.readUInt32BE(at);
  const rows: (Buffer | null)[][] = [];
  for (;;) {
    if (at + 2 > data.length) throw new Error('binary COPY output ends without its trailer');
    const fieldCount = data.readInt16BE(at);
    at += 2;
    if (fieldCount === -1) return rows;
    const fields = new Array<Buffer | null>(fieldCount);
    for (let i = 0; i < fieldCount; i++) {
      const length = data.readInt32BE(at);
      at += 4;
      if (length === -1) {
        fields[i] = null;
        continue;
      }
      if (at + length > data.length) throw new Error('binary COPY output ends inside a field');
      fields[i] = data.subarray(at, at + length);
      at += length;
    }
    rows.push(fields);
  }
}
