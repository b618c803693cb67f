"""Formats (文件与图表): files and drawings, bytes in or bytes out.

xlsx/docx/csv exports, imports of uploaded files, the upload store, charts, the
traffic lights and the showcase site. They build on core (and on each other).
"""
