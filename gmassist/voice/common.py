"""What the three parts of the voice app (feedback, surveys, recruiting) share. Each part imports
from here and from `gmassist/voice/engine/`, never from another part."""

# Characters of any free text written in voice: a feedback message, a survey's introduction or
# a free-text answer, a note or a message to the agencies.
MAX_BODY = 5000
