from buurtbalans.cli import main

main()
