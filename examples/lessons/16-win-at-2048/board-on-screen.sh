#!/bin/sh
# Prints the title of the game's Firefox window: the page puts the score and the board in it.
for window in $(xdotool search --class firefox); do
  xdotool getwindowname "$window"
done | grep '^2048 ' || { echo 'no 2048 window on the screen' >&2; exit 1; }
