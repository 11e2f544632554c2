'use strict';
// Minimal .npy (format 1.0/2.0/3.0) reader and writer, C order, little endian.
// dtypes: float32, float64, float16, int8/16/32/64, uint8/16/32/64, bool.

const fs = require('fs');

// numpy descr (without byte-order char) -> [ORT tensor type, TypedArray]
const DTYPES = {
  f4: ['float32', Float32Array],
  f8: ['float64', Float64Array],
  f2: ['float16', Uint16Array],  // raw IEEE half bits
  i1: ['int8', Int8Array],
  i2: ['int16', Int16Array],
  i4: ['int32', Int32Array],
  i8: ['int64', BigInt64Array],
  u1: ['uint8', Uint8Array],
  u2: ['uint16', Uint16Array],
  u4: ['uint32', Uint32Array],
  u8: ['uint64', BigUint64Array],
  b1: ['bool', Uint8Array],
};
const ORT_TO_DESCR = {};
for (const [d, [t]] of Object.entries(DTYPES)) ORT_TO_DESCR[t] = d;

function parseHeader(h) {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(h);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(h);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(h);
  if (!descr || !fortran || !shape) throw new Error(`bad npy header: ${h}`);
  return {
    descr: descr[1],
    fortran: fortran[1] === 'True',
    shape: shape[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number),
  };
}

// Returns {type: ORT type string, data: TypedArray, dims: number[]}.
function readNpy(path) {
  const buf = fs.readFileSync(path);
  if (buf.length < 10 || buf.readUInt8(0) !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') {
    throw new Error(`${path}: not a .npy file`);
  }
  const major = buf.readUInt8(6);
  let hlen, off;
  if (major === 1) { hlen = buf.readUInt16LE(8); off = 10; }
  else if (major === 2 || major === 3) { hlen = buf.readUInt32LE(8); off = 12; }
  else throw new Error(`${path}: unsupported npy version ${major}`);
  const h = parseHeader(buf.toString(major === 3 ? 'utf8' : 'latin1', off, off + hlen));
  if (h.fortran) throw new Error(`${path}: fortran_order arrays are not supported`);
  let d = h.descr;
  const order = d[0];
  if ('<>|='.includes(order)) d = d.slice(1);
  if (order === '>' && !d.endsWith('1')) throw new Error(`${path}: big-endian data not supported`);
  const ent = DTYPES[d];
  if (!ent) throw new Error(`${path}: unsupported dtype ${h.descr}`);
  const [type, Arr] = ent;
  const count = h.shape.reduce((a, b) => a * b, 1);
  const start = off + hlen;
  const nbytes = count * Arr.BYTES_PER_ELEMENT;
  if (buf.length - start < nbytes) throw new Error(`${path}: truncated data`);
  // Copy into a fresh, aligned ArrayBuffer.
  const ab = new ArrayBuffer(nbytes);
  buf.copy(Buffer.from(ab), 0, start, start + nbytes);
  let data = new Arr(ab);
  if (type === 'bool') data = new Uint8Array(ab);
  return { type, data, dims: h.shape };
}

function writeNpy(path, type, data, dims) {
  const d = ORT_TO_DESCR[type];
  if (!d) throw new Error(`cannot write tensor type ${type} to npy`);
  const descr = (d === 'b1' || d.endsWith('1')) ? `|${d}` : `<${d}`;
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pre = 10;
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = header.padEnd(total - pre - 1, ' ') + '\n';
  const hb = Buffer.alloc(pre);
  hb.writeUInt8(0x93, 0);
  hb.write('NUMPY', 1, 'latin1');
  hb.writeUInt8(1, 6);
  hb.writeUInt8(0, 7);
  hb.writeUInt16LE(header.length, 8);
  let body;
  if (type === 'bool') body = Buffer.from(Uint8Array.from(data, (v) => (v ? 1 : 0)));
  else body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(path, Buffer.concat([hb, Buffer.from(header, 'latin1'), body]));
}

module.exports = { readNpy, writeNpy };
