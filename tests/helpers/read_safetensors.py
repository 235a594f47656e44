"""An independent safetensors reader for the tests (Python's standard library only): prints the
file's metadata and every tensor (name, shape, values) as JSON on stdout.
Format: 8-byte little-endian header length, JSON header, raw little-endian data."""
import array, json, struct, sys

with open(sys.argv[1], 'rb') as f:
    (n,) = struct.unpack('<Q', f.read(8))
    header = json.loads(f.read(n))
    data = f.read()
out = {'metadata': header.pop('__metadata__', {}), 'tensors': {}}
for name, t in header.items():
    assert t['dtype'] == 'F32', name
    b, e = t['data_offsets']
    v = array.array('f')
    v.frombytes(data[b:e])
    if sys.byteorder != 'little':
        v.byteswap()
    out['tensors'][name] = {'shape': t['shape'], 'values': v.tolist()}
json.dump(out, sys.stdout)
