#!/bin/sh
# Sprint Runner progress helper. Agents call it to log a milestone:
#   sh "$SPRINT_RUNNER_LOG" [--story <story_id>] <task-id> <status> "<message>"
# It prints one CSV line  timestamp,epicID,storyID,command,task-id,status,"message"  on stdout (the
# orchestrator reads it from the tool result) and appends it to docs/sprint-runner.csv (relative to the
# current directory) for compatibility with the original workflow.
# The ids come from the environment the orchestrator sets: SPRINT_RUNNER_EPIC_ID, SPRINT_RUNNER_STORY_IDS
# (comma-separated short ids; the first is the default story), SPRINT_RUNNER_COMMAND_LABEL (e.g.
# code-review-3; falls back to SPRINT_RUNNER_COMMAND, and to SPRINT_RUNNER_COMMAND-SPRINT_RUNNER_ATTEMPT
# for review commands).

usage() {
  echo "usage: sh \"\$SPRINT_RUNNER_LOG\" [--story <story_id>] <task-id> <status> \"<message>\"" >&2
  echo "  e.g. sh \"\$SPRINT_RUNNER_LOG\" setup start \"Initializing story creation for 2a-1\"" >&2
  [ -n "$1" ] && echo "error: $1" >&2
  exit 2
}

story=""
if [ "$1" = "--story" ]; then
  [ $# -ge 2 ] || usage "--story needs a story id"
  story=$2
  shift 2
fi
[ $# -ge 2 ] || usage "expected <task-id> <status> [\"<message>\"], got $# argument(s)"
[ $# -le 3 ] || usage "too many arguments ($#): quote the message"
task=$1
status=$2
message=${3-}

case "$task" in
  ''|*[!A-Za-z0-9_-]*) usage "task-id '$task' must be a word such as setup, analyze, implement (see task-taxonomy.yaml)" ;;
esac
case "$status" in
  ''|*[!A-Za-z0-9_-]*) usage "status '$status' must be a word such as start or end" ;;
esac

if [ -z "$story" ]; then
  story=${SPRINT_RUNNER_STORY_IDS%%,*}
fi
[ -n "$story" ] || usage "no story id: pass --story <story_id> or set SPRINT_RUNNER_STORY_IDS"
case "$story" in
  *[!A-Za-z0-9._-]*) usage "story id '$story' must be a short id such as 2a-1" ;;
esac

epic=${SPRINT_RUNNER_EPIC_ID-}
if [ -z "$epic" ]; then
  # Short id 2a-1 → epic 2a (everything before the last dash).
  epic=${story%-*}
fi
epic=${epic%%,*}

command=${SPRINT_RUNNER_COMMAND_LABEL-}
if [ -z "$command" ]; then
  command=${SPRINT_RUNNER_COMMAND-}
  case "$command" in
    story-review|tech-spec-review|code-review) command="$command-${SPRINT_RUNNER_ATTEMPT:-1}" ;;
  esac
fi
[ -n "$command" ] || usage "no command: set SPRINT_RUNNER_COMMAND_LABEL or SPRINT_RUNNER_COMMAND"

# One line per record: newlines in the message become spaces; quotes are doubled (RFC 4180).
flat=$(printf '%s' "$message" | tr '\r\n' '  ')
quoted=$(printf '%s' "$flat" | sed 's/"/""/g')
line="$(date +%s),$epic,$story,$command,$task,$status,\"$quoted\""

printf '%s\n' "$line"
if mkdir -p docs 2>/dev/null; then
  printf '%s\n' "$line" >> docs/sprint-runner.csv || echo "sprint-log: could not append to $(pwd)/docs/sprint-runner.csv" >&2
else
  echo "sprint-log: could not create $(pwd)/docs" >&2
fi
exit 0
