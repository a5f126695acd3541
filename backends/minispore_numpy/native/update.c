/* The driver of the compiled fused optimizer update (minispore_numpy.native._update).
 *
 * update(plain, decay, param, states, grads, decay_count, scalars, threads) runs kernel
 * number `decay` over the flat elements [0, decay_count) and kernel `plain` over the
 * rest, reading each gradient where it lies (a pointer table: no gather), and writing the
 * parameter and state buffers in place. Above MS_THREADED_MIN elements the range is split
 * between `threads` threads. The GIL is released while the kernels run.
 *
 * The kernels come from update_kernels.h, generated from the rule definitions in
 * minispore/nn/optim/rules at build time. Build with -ffp-contract=off: every operation
 * rounds to float, as the NumPy reference does.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#ifndef _WIN32
#include <pthread.h>
#endif

typedef int64_t ms_index;
typedef void (*ms_kernel_fn)(ms_index, void*, void* const*, const void*, const float*);
typedef struct {
    const char* name;
    char dtype;
    int states;
    int scalars;
    ms_kernel_fn fn;
} ms_kernel;

/* Each generated loop is compiled twice on x86-64 Linux with GCC, for AVX2 and for the
 * baseline, and the loader picks one for the CPU it runs on (no -march=native in the
 * wheel). FMA stays off (-ffp-contract=off, and "avx2" does not enable it), so both give
 * the same bits. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define MS_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MS_CLONES
#endif

#include "update_kernels.h"

#define MS_KERNEL_COUNT ((Py_ssize_t)(sizeof(MS_KERNELS) / sizeof(MS_KERNELS[0])))
#define MS_MAX_STATES 4
#define MS_MAX_SCALARS 16
#define MS_MAX_THREADS 16
#define MS_THREADED_MIN ((ms_index)1 << 20)

typedef struct {
    const char* data;
    ms_index start;
    ms_index size;
} segment;

typedef struct {
    const ms_kernel* plain;
    const ms_kernel* decay;
    char* param;
    char* states[MS_MAX_STATES];
    int nstates;
    size_t item;
    const segment* segments;
    Py_ssize_t nsegments;
    ms_index decay_count;
    float scalars[MS_MAX_SCALARS];
} job;

typedef struct {
    const job* job;
    ms_index lo, hi;
} range;

static void run_kernel(const job* j, const ms_kernel* k, const segment* s, ms_index at, ms_index n) {
    void* states[MS_MAX_STATES];
    for (int t = 0; t < j->nstates; ++t) states[t] = j->states[t] + (size_t)at * j->item;
    k->fn(n, j->param + (size_t)at * j->item, states, s->data + (size_t)(at - s->start) * j->item, j->scalars);
}

static void run_range(const job* j, ms_index lo, ms_index hi) {
    for (Py_ssize_t k = 0; k < j->nsegments; ++k) {
        const segment* s = &j->segments[k];
        ms_index a = s->start > lo ? s->start : lo;
        ms_index b = s->start + s->size < hi ? s->start + s->size : hi;
        if (a >= b) continue;
        ms_index mid = j->decay_count < a ? a : (j->decay_count > b ? b : j->decay_count);
        if (mid > a) run_kernel(j, j->decay, s, a, mid - a);
        if (b > mid) run_kernel(j, j->plain, s, mid, b - mid);
    }
}

#ifndef _WIN32
static void* run_thread(void* arg) {
    const range* r = (const range*)arg;
    run_range(r->job, r->lo, r->hi);
    return NULL;
}
#endif

static void run(const job* j, ms_index n, int threads) {
#ifndef _WIN32
    if (threads > 1 && n >= MS_THREADED_MIN) {
        if (threads > MS_MAX_THREADS) threads = MS_MAX_THREADS;
        pthread_t ids[MS_MAX_THREADS];
        range ranges[MS_MAX_THREADS];
        int started[MS_MAX_THREADS] = {0};
        ms_index chunk = ((n / threads + 1023) / 1024) * 1024; /* whole cache lines per thread */
        for (int t = 0; t < threads; ++t) {
            ranges[t].job = j;
            ranges[t].lo = chunk * t < n ? chunk * t : n;
            ranges[t].hi = chunk * (t + 1) < n && t + 1 < threads ? chunk * (t + 1) : n;
        }
        for (int t = 1; t < threads; ++t) started[t] = pthread_create(&ids[t], NULL, run_thread, &ranges[t]) == 0;
        run_range(j, ranges[0].lo, ranges[0].hi);
        for (int t = 1; t < threads; ++t) {
            if (started[t]) pthread_join(ids[t], NULL);
            else run_range(j, ranges[t].lo, ranges[t].hi); /* no thread to be had: do it here */
        }
        return;
    }
#endif
    (void)threads;
    run_range(j, 0, n);
}

static char format_char(const Py_buffer* b) {
    const char* f = b->format ? b->format : "B";
    while (*f == '@' || *f == '=' || *f == '<') ++f;
    return f[0] != '\0' && f[1] == '\0' ? f[0] : '?';
}

static const ms_kernel* kernel_at(Py_ssize_t index, const char* what) {
    if (index < 0 || index >= MS_KERNEL_COUNT) {
        PyErr_Format(PyExc_ValueError, "For 'update', '%s' must be a kernel index in [0, %zd), but got %zd.", what,
                     MS_KERNEL_COUNT, index);
        return NULL;
    }
    return &MS_KERNELS[index];
}

static PyObject* update(PyObject* self, PyObject* args) {
    (void)self;
    Py_ssize_t plain_index, decay_index, decay_count;
    PyObject *param_obj, *states_obj, *grads_obj, *scalars_obj;
    int threads;
    if (!PyArg_ParseTuple(args, "nnOO!O!nO!i", &plain_index, &decay_index, &param_obj, &PyTuple_Type, &states_obj,
                          &PyList_Type, &grads_obj, &decay_count, &PyTuple_Type, &scalars_obj, &threads))
        return NULL;
    job j;
    memset(&j, 0, sizeof j);
    if (!(j.plain = kernel_at(plain_index, "plain"))) return NULL;
    if (!(j.decay = kernel_at(decay_index, "decay"))) return NULL;
    const ms_kernel* k = j.plain;
    if (j.decay->dtype != k->dtype || j.decay->states != k->states || j.decay->scalars != k->scalars) {
        PyErr_SetString(PyExc_ValueError, "For 'update', the plain and decay kernels must belong to one rule and dtype.");
        return NULL;
    }
    if (PyTuple_GET_SIZE(states_obj) != k->states || PyTuple_GET_SIZE(scalars_obj) != k->scalars) {
        PyErr_Format(PyExc_ValueError, "For 'update', kernel '%s' takes %d states and %d scalars, but got %zd and %zd.",
                     k->name, k->states, k->scalars, PyTuple_GET_SIZE(states_obj), PyTuple_GET_SIZE(scalars_obj));
        return NULL;
    }
    for (int s = 0; s < k->scalars; ++s) {
        double v = PyFloat_AsDouble(PyTuple_GET_ITEM(scalars_obj, s));
        if (v == -1.0 && PyErr_Occurred()) return NULL;
        j.scalars[s] = (float)v;
    }
    Py_ssize_t ngrads = PyList_GET_SIZE(grads_obj);
    Py_buffer owned[1 + MS_MAX_STATES];
    int nowned = 0;
    Py_buffer* grads = PyMem_Calloc((size_t)(ngrads ? ngrads : 1), sizeof(Py_buffer));
    segment* segments = PyMem_Calloc((size_t)(ngrads ? ngrads : 1), sizeof(segment));
    Py_ssize_t ngot = 0;
    PyObject* result = NULL;
    if (!grads || !segments) {
        PyErr_NoMemory();
        goto done;
    }
    for (int b = 0; b < 1 + k->states; ++b) {
        PyObject* obj = b == 0 ? param_obj : PyTuple_GET_ITEM(states_obj, b - 1);
        if (PyObject_GetBuffer(obj, &owned[b], PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) goto done;
        nowned = b + 1;
        if (format_char(&owned[b]) != k->dtype || owned[b].len != owned[0].len) {
            PyErr_Format(PyExc_ValueError,
                         "For 'update', buffer %d must hold '%c' elements like the parameter (%zd bytes), but got "
                         "format '%s' and %zd bytes.",
                         b, k->dtype, owned[0].len, owned[b].format, owned[b].len);
            goto done;
        }
    }
    j.item = (size_t)owned[0].itemsize;
    j.param = owned[0].buf;
    j.nstates = k->states;
    for (int s = 0; s < k->states; ++s) j.states[s] = owned[1 + s].buf;
    ms_index n = (ms_index)(owned[0].len / owned[0].itemsize), offset = 0;
    for (; ngot < ngrads; ++ngot) {
        if (PyObject_GetBuffer(PyList_GET_ITEM(grads_obj, ngot), &grads[ngot], PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
            PyErr_Clear(); /* the caller copies such a gradient and calls again */
            PyErr_Format(PyExc_BufferError, "For 'update', gradient %zd is not a C-contiguous buffer.", ngot);
            goto done;
        }
        if (format_char(&grads[ngot]) != k->dtype) {
            PyErr_Format(PyExc_ValueError, "For 'update', gradient %zd must hold '%c' elements, but got format '%s'.",
                         ngot, k->dtype, grads[ngot].format);
            ++ngot;
            goto done;
        }
        segments[ngot].data = grads[ngot].buf;
        segments[ngot].start = offset;
        segments[ngot].size = (ms_index)(grads[ngot].len / grads[ngot].itemsize);
        offset += segments[ngot].size;
    }
    if (offset != n || decay_count < 0 || decay_count > n) {
        PyErr_Format(PyExc_ValueError,
                     "For 'update', the gradients must hold as many elements as the buffers (%lld) and decay_count "
                     "must lie in [0, %lld], but got %lld elements and decay_count %zd.",
                     (long long)n, (long long)n, (long long)offset, decay_count);
        goto done;
    }
    j.segments = segments;
    j.nsegments = ngrads;
    j.decay_count = decay_count;
    Py_BEGIN_ALLOW_THREADS
    run(&j, n, threads);
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    for (Py_ssize_t g = 0; g < ngot; ++g) PyBuffer_Release(&grads[g]);
    for (int b = 0; b < nowned; ++b) PyBuffer_Release(&owned[b]);
    PyMem_Free(grads);
    PyMem_Free(segments);
    return result;
}

static PyObject* kernels(PyObject* self, PyObject* unused) {
    (void)self;
    (void)unused;
    PyObject* out = PyTuple_New(MS_KERNEL_COUNT);
    if (!out) return NULL;
    for (Py_ssize_t i = 0; i < MS_KERNEL_COUNT; ++i) {
        PyObject* item = Py_BuildValue("(sC)", MS_KERNELS[i].name, (int)MS_KERNELS[i].dtype);
        if (!item) {
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(out, i, item);
    }
    return out;
}

static PyMethodDef methods[] = {
    {"update", update, METH_VARARGS,
     "update(plain, decay, param, states, grads, decay_count, scalars, threads): one fused update in place."},
    {"kernels", kernels, METH_NOARGS, "kernels() -> ((name, format), ...): the compiled kernels, by index."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_update", "Compiled fused optimizer updates.", -1, methods};

PyMODINIT_FUNC PyInit__update(void) {
    PyObject* m = PyModule_Create(&module);
    if (m && PyModule_AddStringConstant(m, "SOURCE_HASH", MS_SOURCE_HASH) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
