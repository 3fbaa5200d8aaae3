// The desktop page's panel, and files through it: drop files anywhere on the page to upload them into
// ~/Downloads in the VM (with progress), and a "Files" link to the listing of ~/Downloads for downloads.
// Same port, same sign-in as the desktop. Other scripts of the panel (the sound) wait for
// window.dockervmDesktop.signedIn and add their controls to window.dockervmDesktop.panel.
(() => {
  const limitBytes = 2048 * 1024 * 1024;
  // On the localhost default noVNC asks for the VNC password; once the desktop connected with it, the
  // same password signs this page in to files and sound (a session cookie of this address and port).
  // The capture phase reads the field before noVNC's own click handler empties it.
  let typed = new URLSearchParams(location.hash.slice(1)).get('password');
  document.addEventListener(
    'click',
    (event) => {
      if (event.target instanceof Element && event.target.id === 'noVNC_credentials_button') typed = document.getElementById('noVNC_password_input')?.value ?? typed;
    },
    true,
  );
  const signedIn = new Promise((resolve) => {
    const connected = () => document.documentElement.classList.contains('noVNC_connected');
    const observer = new MutationObserver(async () => {
      if (!connected() || typed === null) return;
      observer.disconnect();
      const body = new URLSearchParams({ password: typed });
      const reply = await fetch('dockervm/login', { method: 'POST', body, credentials: 'same-origin' }).catch(() => undefined);
      resolve(reply?.status === 204);
    });
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
  });
  const panel = document.createElement('div');
  panel.id = 'dockervm-files';
  panel.style.cssText =
    'position:fixed;right:12px;bottom:12px;z-index:10000;font:13px system-ui,sans-serif;background:rgba(30,30,30,.85);color:#fff;padding:6px 10px;border-radius:6px;max-width:40em';
  const link = document.createElement('a');
  link.href = 'dockervm/files/';
  link.target = '_blank';
  link.rel = 'noopener';
  link.textContent = 'Files (~/Downloads)';
  link.style.color = '#9cf';
  const status = document.createElement('div');
  status.id = 'dockervm-upload-status';
  panel.append(link, status);
  panel.hidden = true;
  document.body.append(panel);
  window.dockervmDesktop = { panel, signedIn };
  signedIn.then((yes) => {
    panel.hidden = !yes;
  });

  const say = (text) => {
    status.textContent = text;
  };

  function upload(file) {
    return new Promise((resolve) => {
      if (file.size > limitBytes) {
        say(`${file.name}: larger than the upload limit (2048 MB)`);
        return resolve(false);
      }
      const request = new XMLHttpRequest();
      request.open('POST', `dockervm/upload/${encodeURIComponent(file.name)}`);
      request.setRequestHeader('X-Dockervm-Upload', '1');
      request.upload.onprogress = (event) => {
        if (event.lengthComputable) say(`${file.name}: ${Math.floor((100 * event.loaded) / event.total)} %`);
      };
      request.onload = () => {
        if (request.status === 201) say(`${file.name}: saved as ~/Downloads/${JSON.parse(request.responseText).name}`);
        else say(`${file.name}: refused (${request.status} ${request.statusText})`);
        resolve(request.status === 201);
      };
      request.onerror = () => {
        say(`${file.name}: upload failed (connection lost)`);
        resolve(false);
      };
      request.send(file);
    });
  }

  // Without preventDefault on dragover the browser would open the dropped file instead.
  document.addEventListener('dragover', (event) => {
    if (event.dataTransfer && [...event.dataTransfer.types].includes('Files')) event.preventDefault();
  });
  document.addEventListener('drop', async (event) => {
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    if (!(await signedIn)) return say('Files need the desktop to be connected first');
    for (const file of files) await upload(file);
  });
})();
