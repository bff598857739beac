# results-header.sh - sourced by benchmark scripts that write a results file: the heading
# every such file starts with.
#
#   results_header TITLE SCRIPT REPRODUCE   print "# TITLE", the "written by" line and the
#                                           table's first rows: date, machine (nproc, CPU
#                                           model), Open MPI, the command to reproduce; the
#                                           caller adds its own rows after them
results_header() {
    echo "# $1"
    echo
    echo "Written by \`$2\`; rerun it rather than edit this file."
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| date | $(date -u +%Y-%m-%dT%H:%M:%SZ) |"
    echo "| machine | $(nproc) cores (nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') |"
    echo "| Open MPI | $(mpirun --version 2>&1 | head -1) |"
    echo "| reproduce | \`$3\` |"
}
