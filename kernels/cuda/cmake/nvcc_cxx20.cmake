# CMake 3.25's NVIDIA-CUDA rules stop at C++17, so a project asking for CMAKE_CUDA_STANDARD 20
# fails to configure with nvcc 12+/13. Loaded as CMAKE_USER_MAKE_RULES_OVERRIDE_CUDA, this
# supplies the missing flags (nvcc has accepted -std=c++20 since 12.0).
set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
list(APPEND CMAKE_CUDA_COMPILE_FEATURES cuda_std_20)
