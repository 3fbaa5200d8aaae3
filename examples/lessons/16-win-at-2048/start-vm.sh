#!/bin/sh
# The VM's one job: a screen (Xtigervnc), noVNC in front of it, the game's web server, and Firefox
# showing the game. The VNC password comes from the compose secret at /run/secrets/vnc_password.
set -eu
mkdir -p "$HOME/.vnc"
vncpasswd -f < /run/secrets/vnc_password > "$HOME/.vnc/passwd"
chmod 600 "$HOME/.vnc/passwd"

# A restarted or restored VM still has the last X server's lock and socket in /tmp: none runs now.
rm -f /tmp/.X1-lock /tmp/.X11-unix/X1
Xtigervnc :1 -geometry 1024x640 -depth 24 -rfbport 5901 -localhost=1 \
  -SecurityTypes VncAuth -rfbauth "$HOME/.vnc/passwd" &
python3 -W ignore::UserWarning -m websockify --web /opt/novnc 6080 localhost:5901 &
python3 -m http.server 8000 --bind 127.0.0.1 --directory /opt/game &

# The browser profile lives in the home directory: on the `home` volume, so it is part of every save.
profile="$HOME/game-profile"
mkdir -p "$profile"
cp /usr/local/share/game/user.js "$profile/user.js"
# A restored disk still has the lock of the Firefox that ran when it was saved: no Firefox runs yet.
rm -f "$profile/lock" "$profile/.parentlock"

until [ -S /tmp/.X11-unix/X1 ]; do sleep 0.2; done
until python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8000))' 2>/dev/null; do sleep 0.2; done
# --kiosk: no toolbars; with no window manager to make it full-screen, the window gets the screen's
# size. Seed 16 makes the tiles come the same way every time (a new game started with the N key or
# the button gets a random seed).
while :; do
  firefox-esr --kiosk --width 1024 --height 640 --profile "$profile" 'http://127.0.0.1:8000/?seed=16' || true
  sleep 1
done
