/* One element of the fused nn.Momentum update, in MindSpore's order.
 *
 * Shared by the CUDA kernel (momentum.cu) and by an OpenCL kernel that the CPU test suite
 * runs on PoCL, so that machines without a GPU exercise exactly this arithmetic.
 * Compile with floating-point contraction off (nvcc/NVRTC: --fmad=false; OpenCL:
 * FP_CONTRACT OFF) so that every operation rounds, as the NumPy reference does.
 *
 * The includer defines: MS_T (float or double), MS_DECAY, MS_SCALE, MS_NESTEROV (0 or 1),
 * MS_QUAL (function qualifiers), MS_GLOBAL (pointer address space) and MS_INDEX (a
 * 64-bit integer type).
 */
MS_QUAL void ms_momentum_element(MS_GLOBAL MS_T* p, MS_GLOBAL MS_T* v, MS_GLOBAL const MS_T* g, MS_INDEX i,
                                 MS_INDEX decay_count, MS_T lr, MS_T u, MS_T wd, MS_T gs) {
    MS_T gi = g[i];
#if MS_DECAY
    if (i < decay_count) {
        const MS_T decay = p[i] * wd;
        gi = decay + gi;
    }
#endif
#if MS_SCALE
    gi = gi * gs;
#endif
    const MS_T carried = v[i] * u;
    const MS_T vi = carried + gi;
    v[i] = vi;
#if MS_NESTEROV
    const MS_T from_grad = gi * lr;
    const MS_T ahead = vi * u;
    const MS_T from_moment = ahead * lr;
    p[i] = p[i] - (from_grad + from_moment);
#else
    const MS_T step = vi * lr;
    p[i] = p[i] - step;
#endif
}
