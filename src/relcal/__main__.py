from relcal.cli import main

main()
