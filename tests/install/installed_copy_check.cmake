# Installs the build into a scratch prefix outside the source tree (in the system's temporary
# folder) and runs the installed programs there, with the source-tree fallback refused
# (ATTNSWEEP_NO_SOURCE_TREE), so whatever they find comes from the prefix:
#   - attnsweep-cli list presets: lists the presets and names the prefix's preset files;
#   - attnsweep-cli list kernels: the torch provider's registration loads from the prefix;
#   - attnsweep-cli run of a provider kernel: the provider's script starts from the prefix (without
#     PyTorch or a GPU it answers every cell `unsupported` and the run exits 3, having measured
#     nothing; with them it measures);
#   - attnsweep (when built): opens the prefix's sample results when given no file, and exports
#     their report.
# The scratch folder is removed when every check passed, and left for a look when one failed.
# -DBUILD=<build folder> -DSOURCE=<source folder> -DWITH_GUI=ON|OFF
set(temp /tmp)
if(DEFINED ENV{TMPDIR})
  set(temp $ENV{TMPDIR})
endif()
string(RANDOM LENGTH 10 tag)
set(SCRATCH ${temp}/attnsweep-installed-copy-${tag})
set(prefix ${SCRATCH}/prefix)
set(data ${prefix}/share/attnsweep)
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${prefix}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed:\n${out}${err}")
endif()

set(expected bin/attnsweep-cli share/attnsweep/resources/presets/seed.json share/attnsweep/resources/providers/torch.json
             share/attnsweep/engine/providers/torch_provider.py share/attnsweep/engine/providers/provider_protocol.py
             share/attnsweep/resources/sample-results/h100-seed.jsonl)
if(WITH_GUI)
  list(APPEND expected bin/attnsweep share/applications/attnsweep.desktop share/icons/hicolor/scalable/apps/attnsweep.svg)
endif()
foreach(file IN LISTS expected)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "not installed: ${file}")
  endif()
endforeach()

# Runs an installed program from the scratch folder; fails on a non-zero exit (with
# NOTHING_MEASURED_OK, but for a sweep's exit 3: it ran and measured nothing); `said` holds what it
# printed. Any mention of the source tree fails too.
function(run_installed)
  cmake_parse_arguments(RUN "NOTHING_MEASURED_OK" "" "" ${ARGN})
  execute_process(COMMAND ${CMAKE_COMMAND} -E env ATTNSWEEP_NO_SOURCE_TREE=1 --unset=ATTNSWEEP_PROVIDERS
                          QT_QPA_PLATFORM=offscreen ${RUN_UNPARSED_ARGUMENTS}
                  WORKING_DIRECTORY ${SCRATCH} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(said "${out}${err}")
  if(NOT rc EQUAL 0 AND NOT (RUN_NOTHING_MEASURED_OK AND rc EQUAL 3))
    message(FATAL_ERROR "'${RUN_UNPARSED_ARGUMENTS}' exited with ${rc}:\n${said}")
  endif()
  string(FIND "${said}" "${SOURCE}/" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "'${RUN_UNPARSED_ARGUMENTS}' names the source tree:\n${said}")
  endif()
  set(said "${said}" PARENT_SCOPE)
endfunction()

function(expect needle)
  string(FIND "${said}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected '${needle}' in:\n${said}")
  endif()
endfunction()

run_installed(${prefix}/bin/attnsweep-cli list presets)
expect("seed ")
expect("(preset files: ${data}/resources/presets)")

run_installed(${prefix}/bin/attnsweep-cli list kernels)
expect("torch.sdpa_cudnn")
string(FIND "${said}" "provider not loaded" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "a provider failed to load:\n${said}")
endif()

file(WRITE ${SCRATCH}/provider.json [[{"version": 1, "name": "provider", "kernels": ["torch.sdpa_math"], "dtypes": ["fp32"],
  "causal": [false], "tiers": [{"q_n": 16, "head_dim": 16, "heads": 1, "batch": 1}],
  "timing": {"min_samples": 1, "max_samples": 2, "max_cell_s": 1}}]])
run_installed(NOTHING_MEASURED_OK ${prefix}/bin/attnsweep-cli run --spec provider.json --out provider.jsonl --quiet)
file(READ ${SCRATCH}/provider.jsonl results)
string(FIND "${results}" "\"kernel\":\"torch.sdpa_math\"" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the provider's cell is missing from the result file:\n${results}")
endif()
foreach(status crashed timeout)
  string(FIND "${results}" "\"status\":\"${status}\"" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "the installed provider did not start (${status}):\n${results}")
  endif()
endforeach()

if(WITH_GUI)
  run_installed(${prefix}/bin/attnsweep --screenshots shots)
  string(FIND "${said}" "no sample results" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "the installed app did not find its sample results:\n${said}")
  endif()
  run_installed(${prefix}/bin/attnsweep --open ${data}/resources/sample-results/h100-seed.jsonl --export-report report)
  if(NOT EXISTS ${SCRATCH}/report/report.md)
    message(FATAL_ERROR "the installed app wrote no report:\n${said}")
  endif()
endif()
file(REMOVE_RECURSE ${SCRATCH})
