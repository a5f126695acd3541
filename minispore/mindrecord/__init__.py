"""``mindspore.mindrecord``: out of minispore's scope; its classes raise an error that names
what to use instead (see :mod:`minispore.out_of_scope`)."""

from minispore.out_of_scope import FileReader, FileWriter

__all__ = ["FileReader", "FileWriter"]
