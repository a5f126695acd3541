/* Sliding-window kernels over NCHW arrays (minispore_numpy.native._window).
 *
 * im2col, col2im, max_pool and max_pool_grad for float32 and float64, on C-contiguous
 * buffers read through the buffer protocol (no NumPy headers). Every function takes the
 * dtype code (0: float32, 1: float64) and the window as one tuple of 14 integers
 *     (n, c, h, w, kh, kw, sh, sw, dh, dw, top, left, oh, ow)
 * and checks each buffer's byte length against the shape that tuple implies. The GIL
 * is released while the loops run.
 *
 * Sums visit the kernel taps in the order i then j, as the NumPy reference does, so
 * every result equals the reference bit for bit. Build with -ffp-contract=off.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    Py_ssize_t n, c, h, w, kh, kw, sh, sw, dh, dw, top, left, oh, ow;
} window_t;

#define WINDOW_FORMAT "(nnnnnnnnnnnnnn)"
#define WINDOW_FIELDS(L) \
    &L.n, &L.c, &L.h, &L.w, &L.kh, &L.kw, &L.sh, &L.sw, &L.dh, &L.dw, &L.top, &L.left, &L.oh, &L.ow

static int check_window(const window_t* L) {
    if (L->n < 0 || L->c < 0 || L->h < 0 || L->w < 0 || L->kh < 1 || L->kw < 1 || L->sh < 1 || L->sw < 1 ||
        L->dh < 1 || L->dw < 1 || L->top < 0 || L->left < 0 || L->oh < 0 || L->ow < 0) {
        PyErr_SetString(PyExc_ValueError, "window: sizes must be non-negative and kernel, stride, dilation positive");
        return 0;
    }
    return 1;
}

static int check_size(const char* name, const Py_buffer* b, Py_ssize_t count, Py_ssize_t item) {
    if (b->len != count * item) {
        PyErr_Format(PyExc_ValueError, "For '%s', a buffer holds %zd bytes but the window needs %zd.", name, b->len,
                     count * item);
        return 0;
    }
    return 1;
}

static int item_size(int dtype) {
    if (dtype == 0) return 4;
    if (dtype == 1) return 8;
    PyErr_Format(PyExc_ValueError, "dtype code must be 0 (float32) or 1 (float64), got %d", dtype);
    return 0;
}

/* One body per scalar type. */
#define DEFINE_KERNELS(T, SUFFIX)                                                                                       \
    static void im2col_##SUFFIX(const T* x, T* cols, const window_t* window, T pad) {                                   \
        const window_t L = *window; /* a local copy: stores cannot alias it */                                          \
        const Py_ssize_t planes = L.n * L.c, plane = L.h * L.w, npos = L.oh * L.ow;                                     \
        for (Py_ssize_t p = 0; p < planes; ++p) {                                                                       \
            const T* src = x + p * plane;                                                                               \
            for (Py_ssize_t i = 0; i < L.kh; ++i) {                                                                     \
                for (Py_ssize_t j = 0; j < L.kw; ++j) {                                                                 \
                    T* dst = cols + ((p * L.kh + i) * L.kw + j) * npos;                                                 \
                    for (Py_ssize_t oy = 0; oy < L.oh; ++oy) {                                                          \
                        const Py_ssize_t y = oy * L.sh + i * L.dh - L.top;                                              \
                        T* row = dst + oy * L.ow;                                                                       \
                        if (y < 0 || y >= L.h) {                                                                        \
                            for (Py_ssize_t ox = 0; ox < L.ow; ++ox) row[ox] = pad;                                     \
                            continue;                                                                                   \
                        }                                                                                               \
                        const T* line = src + y * L.w;                                                                  \
                        const Py_ssize_t x0 = j * L.dw - L.left;                                                        \
                        if (L.sw == 1 && x0 >= 0 && x0 + L.ow <= L.w) {                                                 \
                            memcpy(row, line + x0, (size_t)L.ow * sizeof(T));                                           \
                            continue;                                                                                   \
                        }                                                                                               \
                        for (Py_ssize_t ox = 0; ox < L.ow; ++ox) {                                                      \
                            const Py_ssize_t xx = x0 + ox * L.sw;                                                       \
                            row[ox] = (xx >= 0 && xx < L.w) ? line[xx] : pad;                                           \
                        }                                                                                               \
                    }                                                                                                   \
                }                                                                                                       \
            }                                                                                                           \
        }                                                                                                               \
    }                                                                                                                   \
                                                                                                                        \
    /* x must hold zeros; taps are added in the order i, j, as the reference does. */                                   \
    static void col2im_##SUFFIX(const T* cols, T* x, const window_t* window) {                                          \
        const window_t L = *window; /* a local copy: stores cannot alias it */                                          \
        const Py_ssize_t planes = L.n * L.c, plane = L.h * L.w, npos = L.oh * L.ow;                                     \
        for (Py_ssize_t p = 0; p < planes; ++p) {                                                                       \
            T* dst = x + p * plane;                                                                                     \
            for (Py_ssize_t i = 0; i < L.kh; ++i) {                                                                     \
                for (Py_ssize_t j = 0; j < L.kw; ++j) {                                                                 \
                    const T* src = cols + ((p * L.kh + i) * L.kw + j) * npos;                                           \
                    for (Py_ssize_t oy = 0; oy < L.oh; ++oy) {                                                          \
                        const Py_ssize_t y = oy * L.sh + i * L.dh - L.top;                                              \
                        if (y < 0 || y >= L.h) continue;                                                                \
                        T* line = dst + y * L.w;                                                                        \
                        const T* row = src + oy * L.ow;                                                                 \
                        const Py_ssize_t x0 = j * L.dw - L.left;                                                        \
                        if (L.sw == 1 && x0 >= 0 && x0 + L.ow <= L.w) {                                                 \
                            T* span = line + x0;                                                                        \
                            for (Py_ssize_t ox = 0; ox < L.ow; ++ox) span[ox] += row[ox];                               \
                            continue;                                                                                   \
                        }                                                                                               \
                        for (Py_ssize_t ox = 0; ox < L.ow; ++ox) {                                                      \
                            const Py_ssize_t xx = x0 + ox * L.sw;                                                       \
                            if (xx >= 0 && xx < L.w) line[xx] += row[ox];                                               \
                        }                                                                                               \
                    }                                                                                                   \
                }                                                                                                       \
            }                                                                                                           \
        }                                                                                                               \
    }                                                                                                                   \
                                                                                                                        \
    /* The first maximal tap of each window in row-major order (padding reads -inf; a NaN wins). */                     \
    static void max_pool_##SUFFIX(const T* x, T* out, int32_t* taps, const window_t* window) {                          \
        const window_t L = *window; /* a local copy: stores cannot alias it */                                          \
        const Py_ssize_t planes = L.n * L.c, plane = L.h * L.w, npos = L.oh * L.ow;                                     \
        const T neg_inf = -(T)INFINITY;                                                                                 \
        for (Py_ssize_t p = 0; p < planes; ++p) {                                                                       \
            const T* src = x + p * plane;                                                                               \
            for (Py_ssize_t oy = 0; oy < L.oh; ++oy) {                                                                  \
                for (Py_ssize_t ox = 0; ox < L.ow; ++ox) {                                                              \
                    T best = 0;                                                                                         \
                    int32_t at = -1;                                                                                    \
                    const Py_ssize_t y0 = oy * L.sh - L.top, x0 = ox * L.sw - L.left;                                   \
                    if (y0 >= 0 && x0 >= 0 && y0 + (L.kh - 1) * L.dh < L.h &&                                           \
                        x0 + (L.kw - 1) * L.dw < L.w) {                                                                 \
                        /* Inside the image: no bounds checks, and a plain comparison that                              \
                           compiles to a max; a window holding a NaN is redone by the exact loop. */                    \
                        const T* corner = src + y0 * L.w + x0;                                                          \
                        best = corner[0];                                                                               \
                        at = 0;                                                                                         \
                        int nan = best != best;                                                                         \
                        for (Py_ssize_t i = 0; i < L.kh; ++i) {                                                         \
                            const T* line = corner + i * L.dh * L.w;                                                    \
                            for (Py_ssize_t j = 0; j < L.kw; ++j) {                                                     \
                                const T v = line[j * L.dw];                                                             \
                                const int take = v > best;                                                              \
                                best = take ? v : best;                                                                 \
                                at = take ? (int32_t)(i * L.kw + j) : at;                                               \
                                nan |= v != v;                                                                          \
                            }                                                                                           \
                        }                                                                                               \
                        if (!nan) {                                                                                     \
                            out[p * npos + oy * L.ow + ox] = best;                                                      \
                            taps[p * npos + oy * L.ow + ox] = at;                                                       \
                            continue;                                                                                   \
                        }                                                                                               \
                        at = -1;                                                                                        \
                    }                                                                                                   \
                    for (Py_ssize_t i = 0; i < L.kh; ++i) {                                                             \
                        const Py_ssize_t y = oy * L.sh + i * L.dh - L.top;                                              \
                        for (Py_ssize_t j = 0; j < L.kw; ++j) {                                                         \
                            const Py_ssize_t xx = ox * L.sw + j * L.dw - L.left;                                        \
                            const T v = (y >= 0 && y < L.h && xx >= 0 && xx < L.w) ? src[y * L.w + xx]                  \
                                                                                      : neg_inf;                        \
                            if (at < 0 || v > best || (v != v && best == best)) {                                       \
                                best = v;                                                                               \
                                at = (int32_t)(i * L.kw + j);                                                           \
                            }                                                                                           \
                        }                                                                                               \
                    }                                                                                                   \
                    out[p * npos + oy * L.ow + ox] = best;                                                              \
                    taps[p * npos + oy * L.ow + ox] = at;                                                               \
                }                                                                                                       \
            }                                                                                                           \
        }                                                                                                               \
    }                                                                                                                   \
                                                                                                                        \
    /* dx (zeros) gets each window's gradient at its chosen tap; taps in the order i, j. */                             \
    static void max_pool_grad_##SUFFIX(const T* grad, const int32_t* taps, T* dx, const window_t* window) {             \
        const window_t L = *window; /* a local copy: stores cannot alias it */                                          \
        const Py_ssize_t planes = L.n * L.c, plane = L.h * L.w, npos = L.oh * L.ow;                                     \
        const int disjoint = L.sh >= (L.kh - 1) * L.dh + 1 && L.sw >= (L.kw - 1) * L.dw + 1;                            \
        for (Py_ssize_t p = 0; p < planes; ++p) {                                                                       \
            const T* g = grad + p * npos;                                                                               \
            const int32_t* t = taps + p * npos;                                                                         \
            T* dst = dx + p * plane;                                                                                    \
            for (Py_ssize_t tap = 0; tap < (disjoint ? 1 : L.kh * L.kw); ++tap) {                                       \
                for (Py_ssize_t oy = 0, o = 0; oy < L.oh; ++oy) {                                                       \
                    for (Py_ssize_t ox = 0; ox < L.ow; ++ox, ++o) {                                                     \
                        const int32_t chosen = t[o], kw = (int32_t)L.kw;                                                \
                        if (!disjoint && chosen != tap) continue;                                                       \
                        const int32_t i = chosen / kw, j = chosen - i * kw;                                             \
                        const Py_ssize_t y = oy * L.sh + i * L.dh - L.top;                                              \
                        const Py_ssize_t xx = ox * L.sw + j * L.dw - L.left;                                            \
                        if (y >= 0 && y < L.h && xx >= 0 && xx < L.w) dst[y * L.w + xx] += g[o];                        \
                    }                                                                                                   \
                }                                                                                                       \
            }                                                                                                           \
        }                                                                                                               \
    }

DEFINE_KERNELS(float, f32)
DEFINE_KERNELS(double, f64)

static PyObject* py_im2col(PyObject* self, PyObject* args) {
    Py_buffer x, cols;
    int dtype;
    double pad;
    window_t L;
    if (!PyArg_ParseTuple(args, "iy*w*" WINDOW_FORMAT "d", &dtype, &x, &cols, WINDOW_FIELDS(L), &pad)) return NULL;
    const int item = item_size(dtype);
    int ok = item && check_window(&L) && check_size("im2col", &x, L.n * L.c * L.h * L.w, item) &&
             check_size("im2col", &cols, L.n * L.c * L.kh * L.kw * L.oh * L.ow, item);
    if (ok) {
        Py_BEGIN_ALLOW_THREADS
        if (dtype == 0) im2col_f32(x.buf, cols.buf, &L, (float)pad);
        else im2col_f64(x.buf, cols.buf, &L, pad);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&x);
    PyBuffer_Release(&cols);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}

static PyObject* py_col2im(PyObject* self, PyObject* args) {
    Py_buffer cols, x;
    int dtype;
    window_t L;
    if (!PyArg_ParseTuple(args, "iy*w*" WINDOW_FORMAT, &dtype, &cols, &x, WINDOW_FIELDS(L))) return NULL;
    const int item = item_size(dtype);
    int ok = item && check_window(&L) && check_size("col2im", &x, L.n * L.c * L.h * L.w, item) &&
             check_size("col2im", &cols, L.n * L.c * L.kh * L.kw * L.oh * L.ow, item);
    if (ok) {
        Py_BEGIN_ALLOW_THREADS
        if (dtype == 0) col2im_f32(cols.buf, x.buf, &L);
        else col2im_f64(cols.buf, x.buf, &L);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&cols);
    PyBuffer_Release(&x);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}

static PyObject* py_max_pool(PyObject* self, PyObject* args) {
    Py_buffer x, out, taps;
    int dtype;
    window_t L;
    if (!PyArg_ParseTuple(args, "iy*w*w*" WINDOW_FORMAT, &dtype, &x, &out, &taps, WINDOW_FIELDS(L))) return NULL;
    const int item = item_size(dtype);
    const Py_ssize_t outputs = L.n * L.c * L.oh * L.ow;
    int ok = item && check_window(&L) && check_size("max_pool", &x, L.n * L.c * L.h * L.w, item) &&
             check_size("max_pool", &out, outputs, item) && check_size("max_pool", &taps, outputs, 4);
    if (ok) {
        Py_BEGIN_ALLOW_THREADS
        if (dtype == 0) max_pool_f32(x.buf, out.buf, taps.buf, &L);
        else max_pool_f64(x.buf, out.buf, taps.buf, &L);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&x);
    PyBuffer_Release(&out);
    PyBuffer_Release(&taps);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}

static PyObject* py_max_pool_grad(PyObject* self, PyObject* args) {
    Py_buffer grad, taps, dx;
    int dtype;
    window_t L;
    if (!PyArg_ParseTuple(args, "iy*y*w*" WINDOW_FORMAT, &dtype, &grad, &taps, &dx, WINDOW_FIELDS(L))) return NULL;
    const int item = item_size(dtype);
    const Py_ssize_t outputs = L.n * L.c * L.oh * L.ow;
    int ok = item && check_window(&L) && check_size("max_pool_grad", &dx, L.n * L.c * L.h * L.w, item) &&
             check_size("max_pool_grad", &grad, outputs, item) && check_size("max_pool_grad", &taps, outputs, 4);
    if (ok) {
        Py_BEGIN_ALLOW_THREADS
        if (dtype == 0) max_pool_grad_f32(grad.buf, taps.buf, dx.buf, &L);
        else max_pool_grad_f64(grad.buf, taps.buf, dx.buf, &L);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&grad);
    PyBuffer_Release(&taps);
    PyBuffer_Release(&dx);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"im2col", py_im2col, METH_VARARGS, "im2col(dtype, x, cols, window, pad): unfold x into cols."},
    {"col2im", py_col2im, METH_VARARGS, "col2im(dtype, cols, x, window): add cols into x (zeros)."},
    {"max_pool", py_max_pool, METH_VARARGS, "max_pool(dtype, x, out, taps, window): window maxima and taps."},
    {"max_pool_grad", py_max_pool_grad, METH_VARARGS,
     "max_pool_grad(dtype, grad, taps, dx, window): add grad into dx (zeros) at the taps."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_window", "Sliding-window kernels (NCHW).", -1, methods};

PyMODINIT_FUNC PyInit__window(void) { return PyModule_Create(&module); }
