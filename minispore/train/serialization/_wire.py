"""MindSpore's ``checkpoint.proto``, encoded and decoded by hand (no protobuf package).

The schema, as MindSpore 2.10 ships it (``mindspore/train/checkpoint_pb2.py``, proto2)::

    message Checkpoint {
      message Value {
        required string tag = 1;
        oneof value {
          TensorProto tensor = 2;
          MapTensorProto maptensor = 3;
        }
      }
      repeated Value value = 1;
    }
    message TensorProto {
      repeated int64 dims = 1;            // proto2: unpacked, one varint record per dim
      required string tensor_type = 2;    // "Float32", "Int32", ..., or "str"
      required bytes tensor_content = 3;  // the elements, C order, little-endian
    }
    message MapTensorProto { repeated TensorProto tensor = 1; }

Six fields and two wire types (varint and length-delimited) are the whole format, so a
hundred lines of Python read and write it exactly as protobuf does, byte for byte, without
the ``protobuf`` runtime or generated code tied to its version. The decoder is stricter than
protobuf where that catches damaged files: the top level may hold only ``value`` records,
and every length must fit inside its enclosing record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5
_MAX_VARINT_BYTES = 10


class TensorRecord(NamedTuple):
    """One ``Checkpoint.value``: a named tensor, or one slice of a large one."""

    tag: str
    dims: tuple[int, ...]
    tensor_type: str
    content: memoryview


class WireError(ValueError):
    """The bytes are not a well-formed ``Checkpoint`` message."""


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _len_field(field: int, payload: bytes) -> bytes:
    return _key(field, _LEN) + _varint(len(payload)) + payload


def record_head(tag: str, dims: Sequence[int], tensor_type: str, content_size: int) -> bytes:
    """The bytes of one ``Checkpoint.value`` record up to its ``tensor_content``.

    The record is complete once ``content_size`` content bytes follow, so large tensors are
    written without being copied into the record.
    """
    tensor_head = (
        b"".join(_key(1, _VARINT) + _varint(d) for d in dims)
        + _len_field(2, tensor_type.encode())
        + _key(3, _LEN)
        + _varint(content_size)
    )
    tensor_size = len(tensor_head) + content_size
    value_head = _len_field(1, tag.encode()) + _key(2, _LEN) + _varint(tensor_size)
    return _key(1, _LEN) + _varint(len(value_head) + tensor_size) + value_head + tensor_head


class _Reader:
    """A cursor over one message's bytes; ``base`` is its offset in the file, for errors."""

    def __init__(self, view: memoryview, base: int = 0) -> None:
        self.view, self.base, self.pos = view, base, 0

    def at_end(self) -> bool:
        return self.pos >= len(self.view)

    def varint(self) -> int:
        start, value = self.pos, 0
        for shift in range(0, 7 * _MAX_VARINT_BYTES, 7):
            if self.pos >= len(self.view):
                raise WireError(f"a varint at byte {self.base + start} runs past the end of its record")
            byte = self.view[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
        raise WireError(f"a varint at byte {self.base + start} is longer than {_MAX_VARINT_BYTES} bytes")

    def key(self) -> tuple[int, int, int]:
        """``(field, wire_type, offset)`` of the next field."""
        offset = self.base + self.pos
        key = self.varint()
        return key >> 3, key & 7, offset

    def chunk(self, what: str) -> _Reader:
        """The next length-delimited payload, as a reader of its own."""
        size, start = self.varint(), self.pos
        if size > len(self.view) - start:
            raise WireError(
                f"{what} at byte {self.base + start} declares {size} bytes but only {len(self.view) - start} remain"
            )
        self.pos += size
        return _Reader(self.view[start : start + size], self.base + start)

    def skip(self, wire: int, offset: int) -> None:
        if wire == _VARINT:
            self.varint()
        elif wire == _LEN:
            self.chunk("an unknown field")
        elif wire in (_I64, _I32) and len(self.view) - self.pos >= (8 if wire == _I64 else 4):
            self.pos += 8 if wire == _I64 else 4
        else:
            raise WireError(f"the field at byte {offset} has wire type {wire}, which is invalid or truncated here")

    def text(self, what: str) -> str:
        chunk = self.chunk(what)
        try:
            return bytes(chunk.view).decode()
        except UnicodeDecodeError:
            raise WireError(f"{what} at byte {chunk.base} is not UTF-8 text") from None


def decode_checkpoint(data: bytes | memoryview) -> list[TensorRecord]:
    """The ``value`` records of a serialized ``Checkpoint``, in file order.

    Raises:
        WireError: the bytes are truncated, corrupt, or not a ``Checkpoint`` message.
    """
    top = _Reader(memoryview(data))
    records = []
    while not top.at_end():
        field, wire, offset = top.key()
        if (field, wire) != (1, _LEN):
            raise WireError(
                f"byte {offset} should start a Checkpoint.value record (field 1, length-delimited) "
                f"but holds field {field} with wire type {wire}"
            )
        records.append(_decode_value(top.chunk("a Checkpoint.value record")))
    return records


def _decode_value(value: _Reader) -> TensorRecord:
    tag: str | None = None
    tensor: list[_Reader] = []
    while not value.at_end():
        field, wire, offset = value.key()
        if field == 1 and wire == _LEN:
            tag = value.text("a parameter name")
        elif field == 2 and wire == _LEN:
            tensor.append(value.chunk("a TensorProto"))
        elif field == 3:
            raise WireError(f"the record at byte {value.base} holds a MapParameter, which minispore cannot load")
        else:
            value.skip(wire, offset)
    if tag is None or not tensor:
        missing = "'tag'" if tag is None else "'tensor'"
        raise WireError(f"the record at byte {value.base} has no {missing} field")
    if len(tensor) > 1:  # repeated occurrences of a message field merge: parse their concatenation
        tensor = [_Reader(memoryview(b"".join(bytes(t.view) for t in tensor)), tensor[0].base)]
    return _decode_tensor(tag, tensor[0])


def _decode_tensor(tag: str, tensor: _Reader) -> TensorRecord:
    dims: list[int] = []
    tensor_type: str | None = None
    content: memoryview | None = None
    while not tensor.at_end():
        field, wire, offset = tensor.key()
        if field == 1 and wire == _VARINT:
            dims.append(tensor.varint())
        elif field == 1 and wire == _LEN:  # packed, as proto3 writers do
            packed = tensor.chunk("packed dims")
            while not packed.at_end():
                dims.append(packed.varint())
        elif field == 2 and wire == _LEN:
            tensor_type = tensor.text("a tensor_type")
        elif field == 3 and wire == _LEN:
            content = tensor.chunk("a tensor_content").view
        else:
            tensor.skip(wire, offset)
    if tensor_type is None or content is None:
        missing = "'tensor_type'" if tensor_type is None else "'tensor_content'"
        raise WireError(f"the tensor of '{tag}' at byte {tensor.base} has no {missing} field")
    if any(d >= 1 << 63 for d in dims):
        raise WireError(f"the tensor of '{tag}' at byte {tensor.base} has a negative dimension")
    return TensorRecord(tag, tuple(dims), tensor_type, content)
