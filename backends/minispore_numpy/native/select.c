/* Elementwise selection (minispore_numpy.native._select).
 *
 * select(dtype, condition, x, y, out) writes out[i] = condition[i] ? x[i] : y[i] (or y[0]
 * when y holds one element) over C-contiguous buffers read through the buffer protocol
 * (no NumPy headers), for float32 (dtype 0) and float64 (dtype 1). The condition is a
 * buffer of bools. NumPy's where runs about 15x slower than a product on a random mask
 * (a branch per element); this loop compiles to vector bit operations. It is what ReLU's
 * gradient needs: MindSpore's ReluGrad selects the upstream gradient where the output is
 * positive and +0.0 elsewhere, so NaN or infinite gradients do not leak through a product.
 * The GIL is released while the loop runs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

/* Branch-free: each element is chosen with a bit mask, so the loop vectorises (a `c ? x : y`
 * compiled to a branch per element and ran as slowly as NumPy's where, 530 us for LeNet5's
 * first ReLU at batch 32, against 35 us for the product). The values move as integers of
 * their width, never as floats: NaN payloads and signed zeros pass unchanged. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define MS_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MS_CLONES
#endif

#define DEFINE_SELECT(U, SUFFIX)                                                                                  \
    MS_CLONES static void select_##SUFFIX(const unsigned char* restrict c, const U* restrict x,                   \
                                          const U* restrict y, Py_ssize_t y_step, U* restrict out, Py_ssize_t n) { \
        if (y_step == 0) {                                                                                        \
            const U other = y[0];                                                                                 \
            for (Py_ssize_t i = 0; i < n; ++i) {                                                                  \
                const U mask = (U)0 - (U)(c[i] != 0);                                                             \
                out[i] = (x[i] & mask) | (other & ~mask);                                                         \
            }                                                                                                     \
        } else {                                                                                                  \
            for (Py_ssize_t i = 0; i < n; ++i) {                                                                  \
                const U mask = (U)0 - (U)(c[i] != 0);                                                             \
                out[i] = (x[i] & mask) | (y[i] & ~mask);                                                          \
            }                                                                                                     \
        }                                                                                                         \
    }

DEFINE_SELECT(uint32_t, f32)
DEFINE_SELECT(uint64_t, f64)

static PyObject* py_select(PyObject* self, PyObject* args) {
    (void)self;
    int dtype;
    PyObject *c_obj, *x_obj, *y_obj, *out_obj, *result = NULL;
    if (!PyArg_ParseTuple(args, "iOOOO", &dtype, &c_obj, &x_obj, &y_obj, &out_obj)) return NULL;
    const Py_ssize_t item = dtype == 0 ? 4 : (dtype == 1 ? 8 : 0);
    if (item == 0) {
        PyErr_Format(PyExc_ValueError, "For 'select', the dtype code must be 0 (float32) or 1 (float64), got %d.", dtype);
        return NULL;
    }
    Py_buffer c, x, y, out;
    if (PyObject_GetBuffer(c_obj, &c, PyBUF_C_CONTIGUOUS) < 0) return NULL;
    if (PyObject_GetBuffer(x_obj, &x, PyBUF_C_CONTIGUOUS) < 0) goto release_c;
    if (PyObject_GetBuffer(y_obj, &y, PyBUF_C_CONTIGUOUS) < 0) goto release_x;
    if (PyObject_GetBuffer(out_obj, &out, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0) goto release_y;
    const Py_ssize_t n = c.len;
    if (x.len != n * item || out.len != n * item || (y.len != n * item && y.len != item)) {
        PyErr_Format(PyExc_ValueError,
                     "For 'select', x and out must hold %zd elements of %zd bytes like the condition, and y as many "
                     "or one, but got %zd, %zd and %zd bytes.",
                     n, item, x.len, out.len, y.len);
    } else {
        const Py_ssize_t y_step = y.len == item && n != 1 ? 0 : 1;
        Py_BEGIN_ALLOW_THREADS;
        if (dtype == 0) select_f32(c.buf, x.buf, y.buf, y_step, out.buf, n);
        else select_f64(c.buf, x.buf, y.buf, y_step, out.buf, n);
        Py_END_ALLOW_THREADS;
        result = Py_None;
        Py_INCREF(result);
    }
    PyBuffer_Release(&out);
release_y:
    PyBuffer_Release(&y);
release_x:
    PyBuffer_Release(&x);
release_c:
    PyBuffer_Release(&c);
    return result;
}

static PyMethodDef methods[] = {
    {"select", py_select, METH_VARARGS, "select(dtype, condition, x, y, out): out = condition ? x : y."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_select", "Elementwise selection.", -1, methods};

PyMODINIT_FUNC PyInit__select(void) { return PyModule_Create(&module); }
