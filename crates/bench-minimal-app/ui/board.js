// Signing in shows a table of 120 rooms (six floors of twenty, the size of the demo hotel).
const form = document.getElementById('sign-in')
const board = document.getElementById('board')

form.addEventListener('submit', (event) => {
  event.preventDefault()
  for (let floor = 1; floor <= 6; floor++) {
    const row = board.insertRow()
    row.insertCell().textContent = `Floor ${floor}`
    for (let room = 1; room <= 20; room++) {
      const cell = row.insertCell()
      const number = `${floor}${String(room).padStart(2, '0')}`
      cell.dataset.testid = 'room'
      cell.dataset.room = `room-${number}`
      cell.textContent = `Room ${number}`
    }
  }
  form.hidden = true
  board.hidden = false
})
