# stacks.sh - sourced by benchmark scripts that keep the stacks of a hung job.
#
#   stacks_of PID   print every thread's backtrace of PID (gdb, at most 60 s), one frame a line,
#                   without addresses and thread-start frames, cut to 110 columns; nothing
#                   when gdb cannot attach
stacks_of() {
    timeout 60 gdb -p "$1" -batch -ex "thread apply all bt" 2>/dev/null | grep -E '^#' | sed -E 's/0x[0-9a-f]+ in //' \
        | grep -vE 'start_thread|clone3|__libc_start' | cut -c1-110 || true
}
