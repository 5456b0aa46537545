#!/usr/bin/python3
# Optional tooling (never needed to build or test): SentencePiece's own answers (Debian's
# python3-sentencepiece 0.1.97) for the hand-built models of tests/unit/tokenizers/
# sentencepiece_bpe_test.cpp (ties, UNUSED pieces, user-defined symbols, unknown runs, decoding),
# written here as protobuf bytes by hand. The test's expectations are what this prints.
#   /usr/bin/python3 tools/check_spm_hand_models.py
import struct
import sentencepiece as spm
def varint(v):
    if v < 0: v += 1 << 64
    out = b""
    while True:
        b = v & 0x7F; v >>= 7
        if v: out += bytes([b | 0x80])
        else: return out + bytes([b])
def field(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 0: return key + varint(payload)
    if wire == 5: return key + payload
    return key + varint(len(payload)) + payload
def piece(p, score, t):
    return field(1, 2, field(1, 2, p.encode()) + field(2, 5, struct.pack("<f", score)) + field(3, 0, t))
def model(extra, identity=True, byte_fallback=False):
    pieces = [("<unk>", 0, 2)] + [(c, -10, 1) for c in ["a", "b", "c", "d", "\u2581"]] + extra
    if byte_fallback: pieces += [("<0x%02X>" % b, 0, 6) for b in range(256)]
    body = b"".join(piece(*p) for p in pieces)
    ts = field(3, 0, 2) + field(35, 0, 1 if byte_fallback else 0) + field(41, 0, -1) + field(42, 0, -1)
    body += field(2, 2, ts)
    ns = field(1, 2, b"identity")
    if identity: ns += field(3, 0, 0) + field(4, 0, 0)
    body += field(3, 2, ns)
    return body
def enc(extra, text, **kw):
    sp = spm.SentencePieceProcessor(model_proto=model(extra, **kw))
    return sp.encode(text, out_type=str)
print(enc([("ab", -1, 1), ("bc", -2, 1)], "abc"))
print(enc([("ab", -2, 1), ("bc", -1, 1)], "abc"))
print(enc([("bc", -1, 1), ("ab", -1, 1)], "abc"))
print(enc([("ab", -1, 1), ("cd", -1, 1), ("abcd", -3, 1)], "abcd"))
print("unused", enc([("ab", -1, 5), ("abc", -2, 1)], "abc"), enc([("ab", -1, 5), ("abc", -2, 1)], "abd"))
u = [("ab", -1, 1), ("bc", -1, 4), ("bcd", 0, 4)]
print("user", enc(u, "abcd"), enc(u, "abca"), enc(u, "abab"))
print("unk", enc([], "axyzb€a"), spm.SentencePieceProcessor(model_proto=model([])).encode("axyzb€a"))
sp = spm.SentencePieceProcessor(model_proto=model([("\u2581a", -1, 1)], identity=False, byte_fallback=True))
def dec(pieces): return sp.decode_pieces(pieces)
print(repr(dec(["\u2581a", "\u2581", "b"])), repr(dec(["\u2581", "\u2581a"])))
print(repr(dec(["<0xF0>", "<0x9F>", "<0xA6>", "<0x99>", "<0xFF>", "<unk>", "<0xC3>"])))
