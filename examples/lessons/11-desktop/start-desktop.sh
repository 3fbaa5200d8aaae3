# Starts the X/VNC server, an xterm on it, and noVNC. The VNC password comes from a file mounted at
# /run/secrets/vnc_password (never from the image, never from an environment variable).
set -eu
mkdir -p "$HOME/.vnc"
vncpasswd -f < /run/secrets/vnc_password > "$HOME/.vnc/passwd"
chmod 600 "$HOME/.vnc/passwd"

Xtigervnc :1 -geometry 1280x800 -depth 24 -rfbport 5901 -localhost=0 \
  -SecurityTypes VncAuth -rfbauth "$HOME/.vnc/passwd" &
# websockify carries the VNC protocol over a WebSocket and serves noVNC's web page.
websockify --web /usr/share/novnc 6080 localhost:5901 &

until xdpyinfo >/dev/null 2>&1; do sleep 0.2; done
xterm -geometry 100x30+40+40 &
wait
