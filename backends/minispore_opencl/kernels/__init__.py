"""OpenCL C source generators, one module per kernel family.

Each function returns the complete source of one program for one combination of dtypes
and compile-time flags; :class:`~minispore_opencl.runtime.Runtime` compiles each distinct
source once. Runtime sizes travel as kernel arguments (often one ``layout_t`` struct of
``long`` passed by value), so one program serves every shape.
"""
