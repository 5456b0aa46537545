# Why the OpenMP build of OpenBLAS: LibTorch runs its elementwise ops on an OpenMP pool, and Debian's
# default OpenBLAS (openblas-pthread, the alternative with the higher priority) runs every GEMM on a
# second pool of its own pthreads. With as many threads as cores the two pools spin on each other's
# cores: a 2-thread train step of the small shape took 306 ms with openblas-pthread and 142 ms with
# openblas-openmp, same binary, same machine (docs/performance.md). The OpenMP build shares
# LibTorch's pool, so a GEMM and the ops around it take turns instead of fighting.
#
# Debian installs both builds side by side and points libblas.so.3 / liblapack.so.3 /
# libopenblas.so.0 at one through update-alternatives. Rather than change the machine, every program
# we link names the three libraries of openblas-openmp itself (DT_NEEDED, with a run path to their
# folder): the loader maps a program's own dependencies before those of libtorch_cpu, and later
# requests for the same names reuse them. core/blas.h reports which build a process got.
#
# Only for a LibTorch that uses the system's BLAS (Debian's libtorch_cpu.so has DT_NEEDED
# libblas.so.3). An official LibTorch 2.x (PyTorch's wheel, the libtorch zip) links MKL or its own
# OpenBLAS statically and ships its own libgomp: adding Debian's OpenBLAS and libgomp there would
# load a second BLAS and a second OpenMP runtime, so the rule is skipped (checked with readelf).
option(ADALORA_OPENBLAS_OPENMP "Link the OpenMP build of OpenBLAS (shares LibTorch's thread pool)" ON)

add_library(adalora_blas INTERFACE)
if(ADALORA_OPENBLAS_OPENMP)
  find_library(ADALORA_TORCH_CPU_LIBRARY torch_cpu HINTS "${TORCH_INSTALL_PREFIX}/lib")
  if(ADALORA_TORCH_CPU_LIBRARY AND CMAKE_READELF)
    execute_process(COMMAND ${CMAKE_READELF} -d ${ADALORA_TORCH_CPU_LIBRARY}
                    OUTPUT_VARIABLE _torch_dynamic ERROR_QUIET RESULT_VARIABLE _readelf_status)
    if(_readelf_status EQUAL 0 AND NOT _torch_dynamic MATCHES "\\[libblas\\.so\\.3\\]")
      message(STATUS "BLAS: LibTorch brings its own (${ADALORA_TORCH_CPU_LIBRARY} does not need "
                     "libblas.so.3); the OpenBLAS/OpenMP rule is skipped")
      set(ADALORA_OPENBLAS_OPENMP OFF)
    endif()
  endif()
endif()
if(ADALORA_OPENBLAS_OPENMP)
  set(_dir /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp)
  if(EXISTS ${_dir}/libopenblas.so.0 AND EXISTS ${_dir}/libblas.so.3 AND EXISTS ${_dir}/liblapack.so.3)
    # --no-as-needed: nothing of ours calls BLAS directly, and the linker would drop them otherwise.
    target_link_libraries(adalora_blas INTERFACE
      "-Wl,--push-state,--no-as-needed"
      ${_dir}/libopenblas.so.0 ${_dir}/libblas.so.3 ${_dir}/liblapack.so.3
      "-Wl,--pop-state")
    target_link_options(adalora_blas INTERFACE "LINKER:-rpath,${_dir}")
    target_compile_definitions(adalora_blas INTERFACE ADALORA_EXPECT_OPENBLAS_OPENMP=1)
    message(STATUS "BLAS: OpenBLAS, OpenMP build (${_dir})")
  else()
    message(WARNING "ADALORA_OPENBLAS_OPENMP: ${_dir} lacks libopenblas.so.0/libblas.so.3/"
                    "liblapack.so.3; install Debian's libopenblas0-openmp (scripts/setup.sh does). "
                    "Falling back to the system's libblas.so.3: with openblas-pthread a multi-thread "
                    "step is up to 2x slower.")
  endif()
endif()
