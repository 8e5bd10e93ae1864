#pragma once
// Functions shared by flash_sm90's host code (plain C++, built in every configuration) and its kernel.
#if defined(__CUDACC__)
#define ATTNSWEEP_HOST_DEVICE __host__ __device__
#else
#define ATTNSWEEP_HOST_DEVICE
#endif
