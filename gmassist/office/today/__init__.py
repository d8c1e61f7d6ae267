"""The Today part of the GM's office: what needs attention today across every module."""
