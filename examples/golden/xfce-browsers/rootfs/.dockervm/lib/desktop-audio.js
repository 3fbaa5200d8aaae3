// The VM's sound on the desktop page: a "Sound" button in the panel (off at first: browsers start
// audio only after a click, and nobody wants a page that speaks unasked). On, it opens the WebSocket
// /dockervm/audio (same port, same sign-in as the desktop) and plays what arrives: raw PCM,
// s16le 48000 Hz 2 channels in 20 ms messages (why: generators/audio.ts).
//
// The jitter buffer is the lead with which each message is scheduled ahead of the output clock. Over
// TCP nothing is lost or reordered; what varies is when messages arrive (scheduling in the VM,
// Nagle-free bursts after a stall): 60 ms, three messages, rides over that and keeps the delay well
// under the 300 ms at which sound visibly lags the picture. A lead that has grown past 250 ms (after
// the tab slept, say) is cut back by dropping messages, so the delay never creeps up; a buffer that
// ran dry (silence is not sent) starts afresh with the next message.
(() => {
  const desktop = window.dockervmDesktop;
  if (!desktop) return;
  const RATE = 48000;
  const CHANNELS = 2;
  const LEAD_SECONDS = 0.06;
  const MOST_AHEAD_SECONDS = 0.25;
  const button = document.createElement('button');
  button.id = 'dockervm-sound';
  button.type = 'button';
  button.style.cssText = 'margin-left:1em;font:inherit;padding:1px 8px';
  const setLabel = (on, note = '') => {
    button.textContent = on ? 'Sound: on' : 'Sound: off';
    button.setAttribute('aria-pressed', String(on));
    button.title = note || (on ? 'Click to stop the sound' : "Click to hear the VM's sound");
  };
  setLabel(false);
  desktop.panel.prepend(button);

  let context;
  let output;
  let socket;
  let playAt = 0;

  function play(message) {
    const samples = new Int16Array(message);
    const frames = samples.length / CHANNELS;
    if (!Number.isInteger(frames) || frames === 0) return;
    const now = context.currentTime;
    if (playAt < now) playAt = now + LEAD_SECONDS;
    else if (playAt - now > MOST_AHEAD_SECONDS) return;
    const buffer = context.createBuffer(CHANNELS, frames, RATE);
    for (let channel = 0; channel < CHANNELS; channel++) {
      const data = buffer.getChannelData(channel);
      for (let i = 0; i < frames; i++) data[i] = samples[i * CHANNELS + channel] / 32768;
    }
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(output);
    source.start(playAt);
    playAt += frames / RATE;
  }

  function start() {
    // Made on the click (a user gesture), so the browser lets it play.
    context ??= new AudioContext({ sampleRate: RATE, latencyHint: 'interactive' });
    output ??= context.createGain();
    output.connect(context.destination);
    void context.resume();
    const url = new URL('dockervm/audio', location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(url, ['binary']);
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (event) => play(event.data);
    socket.onclose = () => {
      if (socket?.readyState === WebSocket.CLOSED) stop('The sound stopped: click to try again');
    };
    setLabel(true);
  }

  function stop(note = '') {
    const closing = socket;
    socket = undefined;
    closing?.close();
    output?.disconnect();
    playAt = 0;
    setLabel(false, note);
  }

  button.addEventListener('click', () => (socket ? stop() : start()));
  // For tests and tools: the graph's last node before the speakers (what is heard passes through it).
  desktop.sound = {
    get context() {
      return context;
    },
    get output() {
      return output;
    },
  };
})();
