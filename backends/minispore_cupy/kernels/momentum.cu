/* The fused nn.Momentum update over flat buffers: one launch per parameter group.
 *
 * Compiled by NVRTC at run time (CuPy RawModule) and by nvcc in CI, with -DMS_T=float or
 * double and -DMS_DECAY/-DMS_SCALE/-DMS_NESTEROV set to 0 or 1, and --fmad=false.
 */
#define MS_QUAL __device__ __forceinline__
#define MS_GLOBAL
#define MS_INDEX long long
#include "momentum_element.h"

extern "C" __global__ void momentum(MS_T* __restrict__ p, MS_T* __restrict__ v, const MS_T* __restrict__ g,
                                    MS_INDEX n, MS_INDEX decay_count, MS_T lr, MS_T u, MS_T wd, MS_T gs) {
    const MS_INDEX i = (MS_INDEX)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        ms_momentum_element(p, v, g, i, decay_count, lr, u, wd, gs);
    }
}
