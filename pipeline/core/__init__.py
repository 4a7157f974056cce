"""The pure core: it reads a workbook snapshot and decides; it touches no file, server or clock."""
