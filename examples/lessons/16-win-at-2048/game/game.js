// 2048: slide the tiles with the arrow keys; two equal tiles that meet become one with their sum.
// The whole game (board, score, moves, and the random generator's state) lives in localStorage, so
// it is on the browser profile's disk between visits, the way the original 2048 keeps its game.
const KEY = 'dockervm-2048';
const SIZE = 4;

/** A small seeded random generator (mulberry32): the next tile depends only on the saved state. */
function random(state) {
  let t = (state.rng = (state.rng + 0x6d2b79f5) >>> 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function addTile(state) {
  const empty = state.board.flatMap((value, index) => (value === 0 ? [index] : []));
  if (empty.length === 0) return;
  const index = empty[Math.floor(random(state) * empty.length)];
  state.board[index] = random(state) < 0.9 ? 2 : 4;
}

function newGame(seed) {
  const state = { board: Array(SIZE * SIZE).fill(0), score: 0, moves: 0, over: false, rng: seed >>> 0 };
  addTile(state);
  addTile(state);
  return state;
}

/** Slides one line towards its start: [2, 2, 4, 0] → [4, 4, 0, 0], and the points it made. */
function slide(line) {
  const tiles = line.filter((value) => value !== 0);
  const out = [];
  let points = 0;
  for (let i = 0; i < tiles.length; i++) {
    if (tiles[i] === tiles[i + 1]) {
      out.push(tiles[i] * 2);
      points += tiles[i] * 2;
      i++;
    } else {
      out.push(tiles[i]);
    }
  }
  while (out.length < SIZE) out.push(0);
  return { line: out, points };
}

/** The cells of each line, listed from the side the tiles slide to. */
function lines(direction) {
  const result = [];
  for (let a = 0; a < SIZE; a++) {
    const cells = [];
    for (let b = 0; b < SIZE; b++) {
      if (direction === 'left') cells.push(a * SIZE + b);
      if (direction === 'right') cells.push(a * SIZE + (SIZE - 1 - b));
      if (direction === 'up') cells.push(b * SIZE + a);
      if (direction === 'down') cells.push((SIZE - 1 - b) * SIZE + a);
    }
    result.push(cells);
  }
  return result;
}

/** Moves every tile one way; false when nothing moved (then no new tile comes). */
function move(state, direction) {
  let moved = false;
  for (const cells of lines(direction)) {
    const { line, points } = slide(cells.map((cell) => state.board[cell]));
    cells.forEach((cell, i) => {
      if (state.board[cell] !== line[i]) moved = true;
      state.board[cell] = line[i];
    });
    state.score += points;
  }
  if (!moved) return false;
  state.moves++;
  addTile(state);
  state.over = ['left', 'right', 'up', 'down'].every((d) => !canMove(state, d));
  return true;
}

function canMove(state, direction) {
  return lines(direction).some((cells) => {
    const values = cells.map((cell) => state.board[cell]);
    return slide(values).line.some((value, i) => value !== values[i]);
  });
}

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (saved && Array.isArray(saved.board) && saved.board.length === SIZE * SIZE) return saved;
  } catch {
    // A damaged save starts a new game.
  }
  return undefined;
}

function save(state) {
  localStorage.setItem(KEY, JSON.stringify(state));
}

function render(state) {
  const board = document.getElementById('board');
  board.replaceChildren(
    ...state.board.map((value) => {
      const cell = document.createElement('div');
      cell.className = 'tile';
      cell.dataset.value = String(value);
      cell.textContent = value ? String(value) : '';
      return cell;
    }),
  );
  document.getElementById('score').textContent = String(state.score);
  document.getElementById('moves').textContent = String(state.moves);
  document.getElementById('over').hidden = !state.over;
  // The window title shows the board too: a program on the VM can read it (xdotool getwindowname).
  const rows = [];
  for (let r = 0; r < SIZE; r++) rows.push(state.board.slice(r * SIZE, r * SIZE + SIZE).join(' '));
  document.title = `2048 score ${state.score} moves ${state.moves}${state.over ? ' GAME OVER' : ''} [${rows.join(' / ')}]`;
}

const KEYS = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };
const seed = Number(new URLSearchParams(location.search).get('seed') ?? Date.now());
let state = load() ?? newGame(seed);
save(state);
render(state);

document.addEventListener('keydown', (event) => {
  if (event.key === 'n') state = newGame(Date.now());
  else if (!KEYS[event.key] || state.over || !move(state, KEYS[event.key])) return;
  event.preventDefault();
  save(state);
  render(state);
});
document.getElementById('new').addEventListener('click', () => {
  state = newGame(Date.now());
  save(state);
  render(state);
});
